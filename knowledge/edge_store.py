"""The embedded store on disk, shared by every CloudPilot process on the machine.

qdrant-edge opens a shard directory in one process at a time (it locks the shard's WAL), and
opening or closing a shard rewrites files in place, so one directory can be neither opened by
two processes nor hard-linked into two. The store is therefore a series of immutable
*generations* and a pointer to the current one:

    knowledge/<model>/
        CURRENT                 name of the published generation, replaced atomically
        generations/<name>/     a closed shard; never opened in place
        readers/<id>.lock       held by a live process for as long as it reads ...
        readers/<id>/<name>/    ... its private copy of a generation, opened by it alone
        building/<name>/        the next generation while an ingest builds it
        write.lock              one ingest at a time

Readers (every process that searches) copy the current generation, without its write-ahead
log, into a private folder and open that copy; processes never wait for each other to read.
Before each search a reader compares CURRENT with the generation it holds and, when an ingest
has published a new one, copies and opens it instead.

An ingest takes write.lock, copies the current generation with its write-ahead log (which
carries the operation counter later updates must exceed), applies its changes to the copy,
closes it, renames it into generations/ and replaces CURRENT. Readers keep answering from the
generation they hold during the whole ingest; they see the old generation or the new one,
never a half-written one. A generation is copied under a shared lock, and an old generation is
deleted only when that lock can be taken exclusively, so no reader loses a generation while it
copies it. Private copies of processes that died are deleted by the next process that makes
one (their lock files are no longer held).

Copies are sparse (holes in preallocated files are not written) and done by the kernel, so the
bundled corpus costs about a megabyte and a few milliseconds per reader; a store of tens of
thousands of chunks costs its size on disk per open process (instant on filesystems with
reflinks, such as XFS and btrfs). Many processes over a large index: use a Qdrant server
(`qdrant_url`), which every process shares without copies.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from knowledge.index import StoreDamaged, StoreError, VectorIndex, Writer
from knowledge.index_edge import EdgeIndex

CURRENT = "CURRENT"
GENERATIONS = "generations"
READERS = "readers"
BUILDING = "building"
TRASH = "trash"
WRITE_LOCK = "write.lock"
# Inside each generation: readers hold it shared while they copy the generation.
COPY_LOCK = ".copy.lock"
WAL = "wal"
_OWN = frozenset({CURRENT, GENERATIONS, READERS, BUILDING, TRASH, WRITE_LOCK})
_BLOCK = 1 << 20


def _rebuild_hint(root: Path) -> str:
    return (
        f"move the folder {root} aside and rebuild the index with `cloudpilot kb ingest bundled` "
        "(plus your document folders)"
    )


def copy_tree(src: Path, dst: Path, skip: frozenset[str] = frozenset()) -> None:
    """Copy a folder, leaving out top-level entries named in `skip`; files are copied sparsely."""
    dst.mkdir(parents=True)
    for entry in os.scandir(src):
        if entry.name in skip:
            continue
        target = dst / entry.name
        if entry.is_dir(follow_symlinks=False):
            copy_tree(Path(entry.path), target)
        elif entry.is_file(follow_symlinks=False):
            _copy_file(Path(entry.path), target)


def _copy_file(src: Path, dst: Path) -> None:
    """Copy the data of `src`, seeking over holes (qdrant preallocates large sparse files).
    Data is moved by the kernel where it can (a reflink on filesystems that share blocks)."""
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        size = os.fstat(fin.fileno()).st_size
        kernel = hasattr(os, "copy_file_range")
        for start, end in _extents(fin.fileno(), size):
            offset = start
            while offset < end:
                count = min(_BLOCK * 64, end - offset)
                copied = 0
                if kernel:
                    try:
                        copied = os.copy_file_range(fin.fileno(), fout.fileno(), count, offset, offset)
                    except OSError:
                        kernel = False
                if not copied:
                    data = os.pread(fin.fileno(), min(_BLOCK, count), offset)
                    if not data:
                        break
                    copied = os.pwrite(fout.fileno(), data, offset)
                offset += copied
        fout.truncate(size)


def _extents(fd: int, size: int) -> Iterator[tuple[int, int]]:
    """(start, end) of the data regions of a file: all of it where holes cannot be found."""
    seek_data = getattr(os, "SEEK_DATA", None)
    seek_hole = getattr(os, "SEEK_HOLE", None)
    if seek_data is None or seek_hole is None:
        yield 0, size
        return
    position = 0
    while position < size:
        try:
            start = os.lseek(fd, position, seek_data)
        except OSError as exc:
            if exc.errno == errno.ENXIO:  # only a hole is left
                return
            if exc.errno in (errno.EINVAL, errno.EOPNOTSUPP):
                yield position, size
                return
            raise
        end = os.lseek(fd, start, seek_hole)
        yield start, end
        position = end


def _try_lock(fd: int, shared: bool = False) -> bool:
    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _open_lock(path: Path) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)


def _remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


class EdgeStore:
    """The generations of one embedded store, and this process's view of the current one."""

    def __init__(self, root: Path, dimension: Callable[[], int]) -> None:
        self.root = root
        self.location = str(root)
        self._dimension = dimension
        self._id = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._lock = threading.RLock()
        self._view: EdgeIndex | None = None
        self._view_name: str | None = None
        self._owner_fd: int | None = None

    # -- the pointer ---------------------------------------------------------------------

    def current(self) -> str | None:
        """The published generation, None when nothing was ever indexed here (a store from
        before generations is converted first)."""
        name = self._read_pointer()
        if name is None and EdgeIndex.exists(self.root):
            self._migrate()
            name = self._read_pointer()
        return name

    def _read_pointer(self) -> str | None:
        try:
            name = (self.root / CURRENT).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"cannot read the knowledge base at {self.root}: {exc}") from exc
        return name or None

    def _publish_pointer(self, name: str) -> None:
        tmp = self.root / f"{CURRENT}.{self._id}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(name + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.root / CURRENT)

    def _generation(self, name: str) -> Path:
        return self.root / GENERATIONS / name

    # -- reading -------------------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[tuple[VectorIndex | None, str | None]]:
        """This process's copy of the current generation (refreshed when a newer one was
        published), held for the block; (None, None) when nothing is indexed yet."""
        with self._lock:
            name = self.current()
            if name is None:
                self._drop_view()
            elif name != self._view_name or self._view is None:
                self._switch_to(name)
            yield self._view, self._view_name

    def _switch_to(self, name: str) -> None:
        readers = self.root / READERS
        readers.mkdir(parents=True, exist_ok=True)
        if self._owner_fd is None:
            self._owner_fd = _open_lock(readers / f"{self._id}.lock")
            fcntl.flock(self._owner_fd, fcntl.LOCK_EX)
            self._collect_readers()
        mine = readers / self._id
        for _attempt in range(10):
            copy = mine / name
            _remove(copy)
            if self._copy_generation(name, copy):
                break
            # The generation was replaced and deleted while we looked: take the new one.
            newer = self.current()
            if newer is None:
                self._drop_view()
                return
            name = newer
        else:
            raise StoreError(f"the knowledge base at {self.root} keeps changing; try again")
        try:
            view = EdgeIndex(copy, self._dimension)
        except StoreError as exc:
            _remove(copy)
            raise StoreError(f"{exc}; {_rebuild_hint(self.root)}") from exc
        self._drop_view()
        self._view, self._view_name = view, name
        self._collect_generations()

    def _copy_generation(self, name: str, target: Path) -> bool:
        """Copy generation `name` to `target` (without its WAL: the copy is only read); False
        when the generation no longer exists."""
        source = self._generation(name)
        try:
            fd = os.open(source / COPY_LOCK, os.O_RDONLY)
        except FileNotFoundError:
            if self._read_pointer() != name:
                return False
            raise StoreDamaged(
                f"the knowledge base at {self.root} is damaged (its current generation {name} is "
                "missing); rebuild it with `cloudpilot kb ingest bundled` and your document folders"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            if not (source / COPY_LOCK).exists():  # deleted between open and lock
                return False
            copy_tree(source, target, skip=frozenset({WAL, COPY_LOCK}))
        except OSError as exc:
            _remove(target)
            raise StoreError(f"cannot copy the knowledge base at {self.root} for reading: {exc}") from exc
        finally:
            os.close(fd)
        return True

    def _drop_view(self) -> None:
        if self._view is not None:
            view, name = self._view, self._view_name
            self._view = self._view_name = None
            try:
                view.close()
            finally:
                if name is not None:
                    _remove(self.root / READERS / self._id / name)

    def _collect_readers(self) -> None:
        """Delete the private copies of processes that are gone (their lock is free)."""
        readers = self.root / READERS
        for lock in readers.glob("*.lock"):
            owner = lock.name.removesuffix(".lock")
            if owner == self._id:
                continue
            try:
                fd = os.open(lock, os.O_RDWR)
            except FileNotFoundError:
                continue
            try:
                if _try_lock(fd):
                    _remove(readers / owner)
                    lock.unlink(missing_ok=True)
            finally:
                os.close(fd)

    # -- writing -------------------------------------------------------------------------

    @contextmanager
    def writing(
        self, wait: bool = True, on_wait: Callable[[str], None] | None = None
    ) -> Iterator[Writer | None]:
        """A private copy of the current generation to ingest into; with `publish` set at
        the end of the block it becomes the current generation."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.current()  # converts an old store first (that takes the write lock itself)
        with self._write_lock(wait, on_wait) as held:
            if not held:
                yield None
                return
            base = self._read_pointer()
            if base is not None and not (self._generation(base) / COPY_LOCK).exists():
                base = None  # a damaged pointer: rebuild from nothing
            name = f"{time.time_ns():x}-{uuid.uuid4().hex[:6]}"
            building = self.root / BUILDING
            _remove(building)  # left by an ingest that died: we hold the write lock
            staging = building / name
            index: EdgeIndex | None = None
            try:
                try:
                    if base is not None:
                        copy_tree(self._generation(base), staging, skip=frozenset({COPY_LOCK}))
                except OSError as exc:
                    raise StoreError(f"cannot copy the knowledge base at {self.root}: {exc}") from exc
                index = EdgeIndex(staging, self._dimension)
                writer = Writer(index, base)
                yield writer
                index.close()
                index = None
                if writer.publish:
                    try:
                        self._publish(staging, name)
                    except OSError as exc:
                        raise StoreError(f"cannot publish the knowledge base at {self.root}: {exc}") from exc
            finally:
                if index is not None:
                    index.close()
                _remove(building)

    def _publish(self, staging: Path, name: str) -> None:
        """Make the closed shard at `staging` the current generation (the write lock is held)."""
        (staging / COPY_LOCK).touch()
        (self.root / GENERATIONS).mkdir(exist_ok=True)
        os.rename(staging, self._generation(name))
        self._publish_pointer(name)
        self._collect_generations(locked=True)

    @contextmanager
    def _write_lock(self, wait: bool, on_wait: Callable[[str], None] | None) -> Iterator[bool]:
        fd = _open_lock(self.root / WRITE_LOCK)
        try:
            if not _try_lock(fd):
                if not wait:
                    yield False
                    return
                if on_wait is not None:
                    on_wait("another CloudPilot process is updating the knowledge base; waiting for it")
                fcntl.flock(fd, fcntl.LOCK_EX)
            yield True
        finally:
            os.close(fd)

    def _collect_generations(self, locked: bool = False) -> None:
        """Delete generations other than the current one that no reader is copying. Needs the
        write lock (an ingest may be between renaming its generation and publishing it)."""
        if not locked:
            fd = _open_lock(self.root / WRITE_LOCK)
            try:
                if _try_lock(fd):
                    self._collect_generations(locked=True)
            finally:
                os.close(fd)
            return
        keep = self._read_pointer()
        folder = self.root / GENERATIONS
        if not folder.is_dir():
            return
        for entry in folder.iterdir():
            if entry.name == keep:
                continue
            try:
                fd = os.open(entry / COPY_LOCK, os.O_RDONLY)
            except (FileNotFoundError, NotADirectoryError):
                _remove(entry)
                continue
            try:
                if _try_lock(fd):
                    trash = self.root / TRASH / f"{entry.name}-{uuid.uuid4().hex[:6]}"
                    trash.parent.mkdir(exist_ok=True)
                    os.rename(entry, trash)
                    _remove(trash)
            finally:
                os.close(fd)

    def _migrate(self) -> None:
        """A store from before generations (the shard directly in the root) becomes the first
        generation: opened once to replay its WAL, then moved under generations/."""
        with self._write_lock(True, None):
            if self._read_pointer() is not None or not EdgeIndex.exists(self.root):
                return
            try:
                EdgeIndex(self.root, self._dimension).close()
            except StoreError as exc:
                raise StoreError(
                    f"{exc}. A CloudPilot process started before the upgrade may still hold it: "
                    "stop it and retry"
                ) from exc
            name = f"{time.time_ns():x}-{uuid.uuid4().hex[:6]}"
            staging = self.root / BUILDING / name
            staging.mkdir(parents=True)
            for entry in list(self.root.iterdir()):
                if entry.name not in _OWN:
                    os.rename(entry, staging / entry.name)
            self._publish(staging, name)

    # -- closing -------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._drop_view()
            if self._owner_fd is not None:
                _remove(self.root / READERS / self._id)
                (self.root / READERS / f"{self._id}.lock").unlink(missing_ok=True)
                os.close(self._owner_fd)
                self._owner_fd = None
