"""A scripted Streamlit browser: one session over the app's websocket, in Streamlit's own protobuf messages.

What a browser tab does, without drawing anything: it opens ``/_stcore/stream``,
asks for a page (``BackMsg.rerun_script``), reads the ``ForwardMsg`` stream
(``new_session``, ``delta`` elements, ``script_finished``), changes widgets by
sending their new values, uploads files the way ``st.file_uploader`` does
(``file_urls_request`` then an HTTP PUT), and reruns the fragments the server
asks to be rerun every N seconds (``auto_rerun``). Used by
``benchmarks/classroom.py`` (many students at once) and by the abuse tests
(``tests/ui/test_server_abuse.py``). It talks only to the URL it is given;
callers pass ``http://127.0.0.1:<port>``.

    async with Session("http://127.0.0.1:8531") as tab:
        run = await tab.open("positional", "lang=zh")           # a page load
        slider = run.widget("positional_seq_len")               # by the widget's key
        run = await tab.rerun([slider_state(slider, 256)])     # an interaction
        print(run.seconds, run.exceptions())

Every wait has a time-out (``ScriptTimeout``); nothing loops without a bound.
"""
from __future__ import annotations

import asyncio
import contextlib
import http.cookiejar
import secrets
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileURLs, UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

EARLY_FOR_RERUN = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN
COMPILE_ERROR = ForwardMsg.ScriptFinishedStatus.FINISHED_WITH_COMPILE_ERROR
WIDGETS = ("button", "checkbox", "file_uploader", "multiselect", "number_input", "radio", "selectbox", "slider",
           "text_input", "text_area", "download_button", "button_group")


class ScriptTimeout(TimeoutError):
    """The server did not finish a script run (or answer a request) in time."""


@dataclass
class Run:
    """What one script run sent: its elements by delta path, how long it took, how it ended."""

    elements: dict[tuple, object] = field(default_factory=dict)  # delta path -> streamlit.proto Element
    seconds: float = 0.0
    status: int | None = None  # ForwardMsg.ScriptFinishedStatus
    bytes: int = 0  # bytes of ForwardMsgs received during the run

    def _of(self, kind: str) -> list:
        return [getattr(e, kind) for e in self.elements.values() if e.WhichOneof("type") == kind]

    def widget(self, key: str):
        """The element (e.g. a ``Slider`` proto) of the widget created with ``key=key``, or None."""
        for element in self.elements.values():
            kind = element.WhichOneof("type")
            if kind in WIDGETS:
                proto = getattr(element, kind)
                if proto.id.endswith(f"-{key}"):
                    return proto
        return None

    def exceptions(self) -> list[str]:
        """Uncaught exceptions drawn on the page: ``"Type: message"`` and their stack traces."""
        return [f"{e.type}: {e.message}\n" + "\n".join(e.stack_trace) for e in self._of("exception")]

    def alerts(self, kind: str = "error") -> list[str]:
        """Texts of ``st.error`` (``kind="error"``), ``st.warning``, ``st.info`` or ``st.success`` boxes."""
        from streamlit.proto.Alert_pb2 import Alert

        wanted = {"error": Alert.ERROR, "warning": Alert.WARNING, "info": Alert.INFO, "success": Alert.SUCCESS}[kind]
        return [a.body for a in self._of("alert") if a.format == wanted]

    def markdown(self) -> list[str]:
        """The Markdown source of every ``st.markdown`` / ``st.write`` / caption element, as sent."""
        return [m.body for m in self._of("markdown")]

    def text(self) -> str:
        """Everything a person could read, as sent (Markdown, headings, alerts, code, HTML, figure JSON,
        widget labels and options), in one string, for "does this reach the browser" checks."""
        parts = []
        for element in self.elements.values():
            kind = element.WhichOneof("type")
            proto = getattr(element, kind) if kind else None
            if proto is None:
                continue
            if kind == "plotly_chart":
                parts.append(proto.spec)
            elif kind in ("dataframe", "table", "arrow_data_frame"):
                parts.append(_arrow_text(proto))
            else:
                parts.append(str(proto))
        return "\n".join(parts)


def _arrow_text(proto) -> str:
    """The cells and column names of a dataframe element (Arrow IPC bytes) as text."""
    try:
        import pyarrow as pa

        table = pa.ipc.open_stream(proto.data).read_all()
        return " ".join(map(str, table.column_names)) + " " + " ".join(
            str(v) for column in table.columns for v in column.to_pylist())
    except Exception:  # noqa: BLE001 - a format this helper does not know: show the raw proto
        return str(proto)


# ------------------------------------------------------------------ widget values, as a browser sends them

def slider_state(proto, value: float) -> WidgetState:
    state = WidgetState(id=proto.id)
    state.double_array_value.data.extend([float(value)])
    return state


def number_state(proto, value: float) -> WidgetState:
    return WidgetState(id=proto.id, double_value=float(value))


def text_state(proto, value: str) -> WidgetState:
    return WidgetState(id=proto.id, string_value=value)


def option_state(proto, index: int) -> WidgetState:
    """A radio's or selectbox's choice: the displayed label of option ``index`` (what Streamlit stores)."""
    return WidgetState(id=proto.id, string_value=proto.options[index])


def click(proto) -> WidgetState:
    return WidgetState(id=proto.id, trigger_value=True)


# ------------------------------------------------------------------ the session

class Session:
    """One browser tab on ``base_url`` (``http://127.0.0.1:PORT``)."""

    def __init__(self, base_url: str, *, timeout_s: float = 300.0, max_message_bytes: int = 200 * 2**20):
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.max_message_bytes = max_message_bytes
        self.session_id = ""
        self.page = ""
        self.query = ""
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.fragments: dict[str, float] = {}  # fragment id -> rerun interval (s), from auto_rerun
        self._jar = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self._jar))
        self._ws = None
        self._reader: asyncio.Task | None = None
        self._run = Run()
        self._finished: asyncio.Queue = asyncio.Queue()
        self._replies: dict[str, asyncio.Future] = {}
        self._closed = asyncio.Event()
        self._fragment_run = False
        self.close_reason = ""

    # -------------------------------------------------------------- connection
    async def __aenter__(self) -> "Session":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    def xsrf(self) -> str:
        return next((c.value for c in self._jar if c.name == "_streamlit_xsrf"), "")

    def http(self, method: str, path: str, data: bytes | None = None, headers: dict | None = None,
             timeout: float | None = None) -> tuple[int, bytes]:
        """One HTTP request with this tab's cookies; returns (status, body). Blocking: call via to_thread."""
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers or {})
        try:
            with self._opener.open(request, timeout=timeout or self.timeout_s) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()
        except (urllib.error.URLError, ConnectionError) as err:
            # A server that refuses a body it will not read may answer and close while we still send:
            # the client sees the connection reset. Status 0 says "refused before the body was read".
            reason = getattr(err, "reason", err)
            if isinstance(reason, (ConnectionResetError, BrokenPipeError)):
                return 0, str(reason).encode()
            raise

    async def connect(self) -> None:
        from websockets.asyncio.client import connect

        await asyncio.to_thread(self.http, "GET", "/_stcore/health")  # sets the XSRF cookie, like index.html does
        url = self.base_url.replace("http", "ws", 1) + "/_stcore/stream"
        cookie = "; ".join(f"{c.name}={c.value}" for c in self._jar)
        self._ws = await asyncio.wait_for(connect(
            url, subprotocols=["streamlit", self.xsrf() or "x"], additional_headers={"Cookie": cookie},
            max_size=self.max_message_bytes, open_timeout=self.timeout_s, ping_interval=None,
            compression=None), self.timeout_s)
        self._reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(BaseException):
                await self._reader
        self._ws = None

    @property
    def connected(self) -> bool:
        return self._ws is not None and not self._closed.is_set()

    async def _read(self) -> None:
        try:
            async for data in self._ws:
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._run.bytes += len(data)
                self._handle(msg)
        except Exception as err:  # noqa: BLE001 - the connection ended: say why to whoever waits
            self.close_reason = f"{type(err).__name__}: {err}"
        finally:
            if not self.close_reason and self._ws is not None and self._ws.close_code is not None:
                self.close_reason = f"closed by the server (code {self._ws.close_code})"
            self._closed.set()
            self._finished.put_nowait(None)

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.session_id = msg.new_session.initialize.session_id or self.session_id
            if not self._fragment_run:
                self._run.elements = {}  # a full run starts: the page is drawn again
            self._record_pages(msg.new_session.app_pages)
        elif kind == "navigation":  # only full runs reach st.navigation: the browser forgets old auto-reruns
            self._fragment_run = False
            self.fragments.clear()
            self._record_pages(msg.navigation.app_pages)
        elif kind == "delta":
            path = tuple(msg.metadata.delta_path)
            if msg.delta.WhichOneof("type") == "new_element":
                self._run.elements[path] = msg.delta.new_element
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "auto_rerun":
            self.fragments[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
        elif kind == "stop_auto_rerun":
            self.fragments.clear()
        elif kind == "file_urls_response":
            future = self._replies.pop(msg.file_urls_response.response_id, None)
            if future is not None and not future.done():
                future.set_result(msg.file_urls_response)
        elif kind == "script_finished":
            self._finished.put_nowait(msg.script_finished)

    def _record_pages(self, pages) -> None:
        for page in pages:
            self.pages[page.url_pathname] = page.page_script_hash

    # -------------------------------------------------------------- messages
    async def send(self, msg: BackMsg) -> None:
        if not self.connected:
            raise ConnectionError(self.close_reason or "not connected")
        await self._ws.send(msg.SerializeToString())

    async def rerun(self, widgets=(), *, page: str | None = None, query: str | None = None,
                    fragment_id: str = "", auto: bool = False) -> Run:
        """Ask for a script run (a page load when ``page`` changes) and wait until it finishes."""
        if page is not None and page != self.page:
            self.page, self.fragments = page, {}
        if query is not None:
            self.query = query
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_name = self.page
        state.page_script_hash = self.pages.get(self.page, "")
        state.fragment_id = fragment_id
        state.is_auto_rerun = auto
        state.widget_states.widgets.extend(widgets)
        while not self._finished.empty():  # a finish that belonged to an earlier, server-started run
            self._finished.get_nowait()
        self._fragment_run = bool(fragment_id)
        if not fragment_id:
            self._run = Run()
        started = time.perf_counter()
        await self.send(msg)
        while True:
            try:
                status = await asyncio.wait_for(self._finished.get(), self.timeout_s)
            except asyncio.TimeoutError:
                raise ScriptTimeout(f"no end of the script run on {self.page!r} within {self.timeout_s:.0f} s")
            if status is None:
                raise ConnectionError(self.close_reason or "the connection closed during a script run")
            if status != EARLY_FOR_RERUN:  # st.rerun() or a newer request: the run goes on
                break
        self._run.seconds = time.perf_counter() - started
        self._run.status = status
        return self._run

    async def open(self, page: str, query: str = "") -> Run:
        """A page load: connect if needed, then run ``page`` with ``?query``."""
        if self._ws is None:
            await self.connect()
        return await self.rerun(page=page, query=query)

    async def watch(self, seconds: float, until=None) -> list[float]:
        """Stay on the page for up to ``seconds`` as a browser does: rerun the fragments the server asked
        to be rerun (``st.fragment(run_every=...)``) at their intervals. Returns each fragment run's seconds.

        Stops early when ``until()`` is true or no fragment is left to rerun.
        """
        deadline = time.monotonic() + seconds
        times = []
        while time.monotonic() < deadline and self.fragments and not (until and until()):
            fragment_id, interval = next(iter(self.fragments.items()))
            started = time.perf_counter()
            await self.rerun(fragment_id=fragment_id, auto=True)
            times.append(time.perf_counter() - started)
            await asyncio.sleep(max(0.0, interval - (time.perf_counter() - started)))
        return times

    async def upload(self, proto, name: str, data: bytes, content_type: str = "text/plain") -> WidgetState:
        """Upload ``data`` as the file widget ``proto`` does; returns the widget state to send with a rerun.

        Raises ``IOError`` with the HTTP status when the server refuses the body (e.g. 413: too large).
        """
        request_id = secrets.token_hex(8)
        future = asyncio.get_running_loop().create_future()
        self._replies[request_id] = future
        msg = BackMsg()
        msg.file_urls_request.request_id = request_id
        msg.file_urls_request.session_id = self.session_id
        msg.file_urls_request.file_names.append(name)
        await self.send(msg)
        try:
            reply = await asyncio.wait_for(future, self.timeout_s)
        except asyncio.TimeoutError:
            raise ScriptTimeout("no upload URL from the server")
        if reply.error_msg:
            raise IOError(reply.error_msg)
        urls = reply.file_urls[0]
        status = await self.put_file(urls.upload_url, name, data, content_type)
        if status >= 300:
            raise IOError(f"upload refused: HTTP {status}")
        state = WidgetState(id=proto.id)
        state.file_uploader_state_value.uploaded_file_info.append(UploadedFileInfo(
            file_id=urls.file_id, name=name, size=len(data),
            file_urls=FileURLs(file_id=urls.file_id, upload_url=urls.upload_url, delete_url=urls.delete_url)))
        return state

    async def put_file(self, upload_url: str, name: str, data: bytes, content_type: str = "text/plain") -> int:
        """PUT ``data`` to an upload URL as multipart form data (what the browser sends); the HTTP status."""
        boundary = "----embedlab" + secrets.token_hex(12)
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                f"Content-Type: {content_type}\r\n\r\n").encode()
        body = head + data + f"\r\n--{boundary}--\r\n".encode()
        path = urllib.parse.urlparse(upload_url).path if upload_url.startswith("http") else upload_url
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "X-Xsrftoken": self.xsrf()}
        status, _ = await asyncio.to_thread(self.http, "PUT", path, body, headers)
        return status

    async def clear_cache(self) -> None:
        """What the app menu's "Clear cache" sends (any visitor can send it)."""
        msg = BackMsg()
        msg.clear_cache = True
        await self.send(msg)
