"""workers.stops_held: SIGINT and SIGTERM that come while a worker is being started wait for the start to
end, then reach the handler that was there before, once each."""

import os
import signal
import threading

from amazen import workers


def test_a_stop_during_the_block_waits_for_its_end_then_reaches_the_previous_handler():
    received = []
    previous = {signum: signal.signal(signum, lambda signum, frame: received.append(signum)) for signum in workers.STOPS}
    try:
        with workers.stops_held():
            os.kill(os.getpid(), signal.SIGTERM)
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(1000):  # Python runs handlers between bytecodes: give them every chance
                pass
            assert received == []
        assert received == [signal.SIGTERM, signal.SIGINT]
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def test_a_block_that_raises_still_restores_the_handlers():
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    try:
        with workers.stops_held():
            raise ValueError("inside")
    except ValueError:
        pass
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before


def test_outside_the_main_thread_the_block_runs_unchanged():
    seen = []

    def run():
        with workers.stops_held():
            seen.append(signal.getsignal(signal.SIGTERM))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert seen == [signal.getsignal(signal.SIGTERM)]
