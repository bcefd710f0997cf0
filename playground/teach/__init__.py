"""The teaching view ("How it works"): how the model writes code, token by token.

tokens (a prompt's tokens and anatomy), sampling (the sampler chain made visible), steps (step-through
and branches), runs (the variability grid, reproducibility cards), render (their HTML), tab (the Gradio tab).
"""
