"""ui.background.start_once: thirty sessions asking at once start one thread."""
import threading
import time

from ui.background import start_once


def test_one_thread_per_name_however_many_sessions_ask():
    calls = []
    release = threading.Event()

    def job():
        calls.append(threading.current_thread().name)
        release.wait(5)

    askers = [threading.Thread(target=lambda: start_once("test-once", job)) for _ in range(30)]
    for a in askers:
        a.start()
    for a in askers:
        a.join()
    time.sleep(0.2)
    release.set()
    assert calls == ["test-once"]
    assert start_once("test-once", job) is False and start_once("test-other", lambda: None) is True
