"""How an error is told to the user: one line, the same in the command line and the app."""

from __future__ import annotations


def one_line(exc: BaseException, *, name_file: bool = True) -> str:
    """The one-line message for ``exc``: the first line of its text, or its type.

    An ``OSError`` that carries a filename (missing, forbidden, a folder, disk full)
    names the file and what went wrong, as the command line prints it.

    Args:
        exc: any exception.
        name_file: apply the ``OSError`` rule above. Pass False where the caller's
            message already starts with the path (``f"{path}: cannot read ({...})"``),
            so the file is not named twice.

    Returns:
        A single line without a trailing newline, never empty.
    """
    if name_file and isinstance(exc, OSError) and exc.filename:
        if isinstance(exc, FileNotFoundError):
            return f"{exc.filename}: no such file or folder"
        if isinstance(exc, PermissionError):
            return f"{exc.filename}: permission denied"
        if exc.strerror:
            # IsADirectoryError, disk full, read-only file system...: name the file, once.
            return f"{exc.filename}: {exc.strerror}"
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
