def celsius_to_fahrenheit(celsius):
    """Convert a temperature from Celsius to Fahrenheit."""
