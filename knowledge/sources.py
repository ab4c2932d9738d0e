"""Where documents come from: folders and files, an S3 prefix, the bundled corpus, botocore.

Each argument of `kb ingest` becomes a `Root` (see `knowledge.source_docs`): the documents
found under it now, and the key prefix that scopes deletion (a document previously ingested
under this root and no longer found is deleted; documents of other roots are never touched).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from knowledge.botocore_docs import botocore_root
from knowledge.documents import FORMATS
from knowledge.source_docs import BOTOCORE, BUNDLED, Root, SourceDoc, SourceError

MAX_BYTES = 20 * 1024 * 1024
OUTSIDE = "symlink outside the folder"


def bundled_dir() -> Path:
    return Path(__file__).resolve().parent / "corpus"


def resolve(spec: str | Path, s3_client: Callable[[], Any] | None = None) -> Root:
    """Turn one ingest argument into a root with its documents."""
    text = str(spec)
    if text == BUNDLED:
        return _folder(bundled_dir(), key_prefix=f"{BUNDLED}:", label=BUNDLED, kind=BUNDLED)
    if text == BOTOCORE or text.startswith(BOTOCORE + ":"):
        return botocore_root(text.partition(":")[2])
    if text.startswith("s3://"):
        if s3_client is None:
            raise SourceError("ingesting from S3 needs AWS access, which this caller did not provide")
        return _s3(text, s3_client())
    path = Path(text).expanduser()
    if not path.exists():
        raise SourceError("no such file or folder")
    path = path.resolve()
    if path.is_file():
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise SourceError(f"unsupported file type (use {', '.join(sorted(FORMATS))})")
        root = Root(prefix=f"file:{path.as_posix()}", exact=True)
        root.docs.append(_file_doc(path, path.name, root.prefix, fmt, "file"))
        return root
    return _folder(path, key_prefix=f"file:{path.as_posix()}/", label=path.name, kind="file")


def _file_doc(path: Path, source: str, doc_key: str, fmt: str, kind: str) -> SourceDoc:
    return SourceDoc(doc_key=doc_key, source=source, fmt=fmt, read=path.read_bytes, kind=kind)


def _folder(folder: Path, key_prefix: str, label: str, kind: str) -> Root:
    root = Root(prefix=key_prefix)
    for path in _walk(folder):
        linked_dir = path.is_dir()
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None and not linked_dir:
            continue
        rel = path.relative_to(folder).as_posix()
        source = f"{label}/{rel}"
        # A link in a shared folder must not pull ~/.aws/credentials or /etc into the index.
        real = path.resolve()
        if not real.is_relative_to(folder):
            root.problems.append((source, OUTSIDE))
            continue
        if linked_dir or fmt is None:
            continue  # a link to a folder inside: its files are reached by their real path
        try:
            size = real.stat().st_size
        except OSError as exc:
            root.problems.append((source, f"cannot read: {exc.strerror or exc}"))
            continue
        if size > MAX_BYTES:
            root.problems.append(
                (source, f"too large ({size // (1024 * 1024)} MiB > {MAX_BYTES // (1024 * 1024)})")
            )
            continue
        # Read the checked real path, so swapping in a link after the walk changes nothing.
        root.docs.append(_file_doc(real, source, key_prefix + rel, fmt, kind))
    return root


def _walk(folder: Path) -> Iterator[Path]:
    """Files and links to folders under `folder` in a stable order, skipping hidden files and
    folders (.git ...)."""
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and not entry.is_symlink():
            yield from _walk(entry)
        elif entry.is_file() or entry.is_dir():
            yield entry  # links too (never followed here): the caller checks where they point


def _s3(uri: str, client: Any) -> Root:
    bucket, _, prefix = uri[len("s3://") :].partition("/")
    if not bucket:
        raise SourceError("expected s3://BUCKET/PREFIX")
    root = Root(prefix=f"s3://{bucket}/{prefix}" if prefix else f"s3://{bucket}")
    try:
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        objects = [obj for page in pages for obj in page.get("Contents", [])]
    except Exception as exc:  # botocore ClientError / EndpointConnectionError
        raise SourceError(f"cannot list objects: {exc}") from exc
    for obj in objects:
        key = str(obj["Key"])
        fmt = FORMATS.get(PurePosixPath(key).suffix.lower())
        if fmt is None or key.endswith("/"):
            continue
        doc_key = f"s3://{bucket}/{key}"
        if int(obj.get("Size", 0)) > MAX_BYTES:
            root.problems.append((doc_key, "too large"))
            continue
        root.docs.append(
            SourceDoc(
                doc_key=doc_key, source=doc_key, fmt=fmt, read=_s3_reader(client, bucket, key), kind="s3"
            )
        )
    return root


def _s3_reader(client: Any, bucket: str, key: str) -> Callable[[], bytes]:
    def read() -> bytes:
        try:
            body = client.get_object(Bucket=bucket, Key=key)["Body"]
            return bytes(body.read())
        except Exception as exc:
            raise OSError(f"cannot download: {exc}") from exc

    return read
