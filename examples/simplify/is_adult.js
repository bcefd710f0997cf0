function isAdult(age) {
  if (age >= 18) {
    return true;
  } else {
    return false;
  }
}
