"""The web app: the Gradio page (layout), its handlers, the HTML it shows (present), the model manager."""

from .layout import ExtraTab, build_demo, launch_options
from .manager import ModelManager

__all__ = ["ExtraTab", "ModelManager", "build_demo", "launch_options"]
