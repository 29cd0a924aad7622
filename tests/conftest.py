"""Cross-service tests: the deploy files, and the whole platform started as processes."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The launcher and demo data live in deploy/ (scripts, not a package).
sys.path.insert(0, str(ROOT / "deploy"))
