"""How a long console script (amazen-import, amazen-reindex) stops: SIGINT and SIGTERM roll its one
transaction back and end it with one line and exit status 128 + the signal, never a traceback."""

import os
import signal
import threading

import psycopg2


def stop_on_signals():
    """SIGINT and SIGTERM stop the script: KeyboardInterrupt in the main thread, so the transaction rolls
    back and any worker processes are stopped on the way out (a second signal does not interrupt that).
    Returns the list the signals received are added to."""
    received = []

    def stop(signum, frame):
        received.append(signum)
        if len(received) == 1:
            raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    return received


def cancel_statements_on_signals(dbapi_connection):
    """Cancel the statement running when SIGINT or SIGTERM comes: the main thread handles a signal only
    between statements, and one statement (a merge, a lock wait) may take minutes."""
    wake, woken = os.pipe()
    os.set_blocking(woken, False)
    signal.set_wakeup_fd(woken)  # a byte per signal, written even while the main thread waits in libpq

    def cancel():
        while os.read(wake, 1):
            try:
                dbapi_connection.cancel()
            except psycopg2.Error:  # closed already: nothing runs on it
                pass

    threading.Thread(target=cancel, daemon=True).start()


def stopped_by(stops, done):
    """(the one line, the exit status) of a script stopped by the first of the signals in ``stops``."""
    return f"stopped by {signal.Signals(stops[0]).name}; {done}", 128 + stops[0]


def database_error(err):
    """The first line of a database error, from SQLAlchemy or from psycopg2 directly (the index build
    copies rows on the driver's own connection)."""
    return str(getattr(err, "orig", None) or err).strip().splitlines()[0]
