"""What both front ends build on (the web app and the teaching view): highlighted code, the code frame and
message boxes as escaped HTML, and their events' outputs by name (outputs.py). The core (playground/*.py)
builds no HTML, imports no Gradio and imports nothing from this package."""
