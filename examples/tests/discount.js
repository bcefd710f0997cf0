function discountedPrice(price, quantity) {
  let total = price * quantity;
  if (quantity >= 10) {
    total = total * 0.9;
  }
  return Math.round(total * 100) / 100;
}
