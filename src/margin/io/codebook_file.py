"""Another code tree named by a path: a project folder, a codebook.yaml, or a REFI-QDA .qdc / .qde file.

The file half of what `margin codebook merge OTHER` (and the app's merge of another code tree) accepts;
the other half, a branch or revision of this project, is ``margin.vcs.codebook_merge.codebook_at``.
"""

from __future__ import annotations

from pathlib import Path

from margin.core.codebook import Codebook
from margin.core.errors import FormatError

REFI_SUFFIXES = (".qdc", ".qde")
"""A REFI-QDA codebook (.qdc), or a REFI-QDA project file (.qde) whose codebook is read."""


def read_codebook_file(name: str) -> Codebook | None:
    """The code tree in the file ``name`` names (relative names from the current folder); None when it
    names no file, so that it may be taken as a revision. FormatError for a file that cannot be used."""
    from margin.core.textfile import read_text

    path = Path(name)
    if path.is_dir() and (path / "codebook.yaml").is_file():
        path = path / "codebook.yaml"
    if not path.is_file():
        return None
    if path.suffix.lower() in REFI_SUFFIXES:
        from margin.io.qdc import qdc_codebook

        return qdc_codebook(path)
    display = name if path == Path(name) else str(path)
    try:
        text = read_text(path, display)
    except OSError as exc:
        raise FormatError(f"cannot read the file: {exc.strerror}", path=display) from None
    from margin.core.yamlio import load_safe

    data = load_safe(text, display)
    if not isinstance(data, dict) or "codes" not in data:
        raise FormatError(
            "this file has no 'codes:', so it is not a code tree — name a codebook.yaml, a project's "
            "folder, a .qdc file or a branch",
            path=display,
            line=1,
            column=1,
        )
    return Codebook.parse(text, display)
