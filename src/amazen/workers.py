"""Worker processes (an import's reader, the index rebuild's analysers) that hold nothing of their
parent's and never outlive it.

Workers are forked by multiprocessing's forkserver: a clean process, started without the parent's open
files and with the modules workers need already imported, so a worker never holds the parent's database
connection. (A forked worker would: killed, the parent's session would stay open in PostgreSQL, with its
locks, for as long as the worker lives.)

Each worker watches a lifeline: a pipe whose only writing end is the parent's. When the parent exits,
is killed, or cuts the lifeline to stop its workers, the pipe reaches its end and a daemon thread in the
worker ends the worker at once, whatever its main thread is busy with.
"""

import contextlib
import multiprocessing
import os
import signal
import threading

STOPS = (signal.SIGINT, signal.SIGTERM)
PRELOAD = ["amazen.ingest.importer", "amazen.search.documents"]


def context():
    """The multiprocessing context workers are started from."""
    forkserver = multiprocessing.get_context("forkserver")
    forkserver.set_forkserver_preload(PRELOAD)
    return forkserver


class Lifeline:
    """Give ``end`` to each worker (it calls ``start_worker(end)`` first); ``cut`` ends every worker."""

    def __init__(self):
        self.end, self._held = multiprocessing.Pipe(duplex=False)

    def cut(self):
        self._held.close()
        self.end.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cut()


@contextlib.contextmanager
def stops_held():
    """SIGINT and SIGTERM wait until the block ends, then take their course (in the main thread; elsewhere
    signals are not handled anyway). Wrap what starts a pool's worker: stopped half way, the parent would
    have sent the new worker its orders without knowing the worker, and would remove on its way out the
    queue locks those orders name before the worker reads them; the worker then dies with a traceback."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = []
    previous = {signum: signal.signal(signum, lambda signum, frame: held.append(signum)) for signum in STOPS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in held:
            signal.raise_signal(signum)


def start_worker(lifeline_end):
    """A worker's first step: Ctrl-C is for the parent to handle, and the worker ends with the lifeline."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_when_cut, args=(lifeline_end,), daemon=True).start()


def _exit_when_cut(lifeline_end):
    try:
        lifeline_end.recv_bytes()  # nothing is ever sent: this returns at the end of the pipe
    except (EOFError, OSError):
        pass
    os._exit(1)
