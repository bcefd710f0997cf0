"""The HTML both front ends build on (the web app and the teaching view): highlighted code, the code frame,
message boxes. Escaped here; the core (playground/*.py) builds no HTML and imports nothing from this package."""
