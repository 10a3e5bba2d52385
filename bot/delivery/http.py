"""PTB's request interface over aiohttp: the bulk sender's HTTP client.

Measured with bench/delivery.py (py-spy): at the paid ceiling the sender was CPU-bound, and
about half of its CPU per message went to httpx/httpcore/anyio (pool bookkeeping, per-request
timeouts, stream wrappers). aiohttp does the same request for a fraction of that. Errors map to
the same PTB exceptions as HTTPXRequest (TimedOut, NetworkError), so the sender's handling of
failures, and with it exactly-once and nothing lost, does not change.

Bodies go out as one JSON document (the Bot API takes JSON as well as forms) encoded with orjson,
and replies are decoded with orjson: form encoding and PTB's per-parameter `json.dumps` were a
tenth of the sender's CPU per message. JSON posts (nearly every call) then went on to the
leaner client in bot.delivery.wire; aiohttp keeps what carries files.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson
from telegram import Bot, TelegramObject
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import JSONDict, ODVInput
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.delivery.wire import ClosedError, Connections

JSON_HEADERS = {"Content-Type": "application/json"}


async def post(bot: Bot, endpoint: str, data: JSONDict) -> Any:
    """Call a Bot API method and return its raw result, without building PTB objects from it.

    The sender only needs a sent message's id; building a `Message` from each reply cost
    about a fifth of its CPU per message. Errors are PTB's own (RetryAfter, Forbidden, ...),
    raised by PTB's request wrapper from the same status and body. `data` must hold no None
    values.
    """
    request = bot.request
    if isinstance(request, AiohttpRequest) and request.LEAN_JSON:
        return await request.post_json(f"{bot.base_url}/{endpoint}", data)
    # Protected, but the one seam PTB has below its object-building methods.
    return await bot._do_post(endpoint, data)


def _as_json(value: object) -> object:
    """Encode what orjson does not know: PTB's objects (a keyboard) as the Bot API's JSON."""
    if isinstance(value, TelegramObject):
        return value.to_dict()
    raise TypeError(f"cannot send a {type(value).__name__} as JSON")


class _Replay(BaseRequest):
    """A request that "receives" a given reply, so PTB's wrapper turns it into its error."""

    def __init__(self, code: int, payload: bytes) -> None:
        self._reply = (code, payload)

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(self, *_: Any, **__: Any) -> tuple[int, bytes]:
        """Return the reply given."""
        return self._reply

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        """Decode as the sender's backend does (TelegramError for a body that is not JSON)."""
        return AiohttpRequest.parse_json_payload(payload)


class AiohttpRequest(BaseRequest):
    """A PTB request backend on one aiohttp session with a bounded connection pool."""

    # JSON posts go through bot.delivery.wire; a subclass whose callers read aiohttp's own
    # errors (the replies' retry rules, bot.telegram.transport) turns this off.
    LEAN_JSON = True

    def __init__(
        self,
        connection_pool_size: int = 8,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._size = connection_pool_size
        self._read = read_timeout
        self._write = write_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._session: aiohttp.ClientSession | None = None
        # JSON posts (nearly every call) go through bot.delivery.wire, one pool per server.
        self._pools: dict[str, Connections] = {}
        # Built once: a ClientTimeout per request is measurable at 1,000 messages a second.
        self._default = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout)

    @property
    def read_timeout(self) -> float | None:
        return self._read

    @staticmethod
    def _timeout(
        read: float | None, write: float | None, connect: float | None, pool: float | None
    ) -> aiohttp.ClientTimeout:
        # aiohttp's `connect` covers waiting for a free pooled connection plus connecting;
        # `sock_read` runs once the request is written. aiohttp has no write timeout: requests
        # here are small, and a stuck write still ends at the read timeout or the OS's.
        del write
        waiting = None if connect is None and pool is None else (connect or 0) + (pool or 0)
        return aiohttp.ClientTimeout(
            total=None, connect=waiting, sock_connect=connect, sock_read=read
        )

    async def initialize(self) -> None:
        """Open the session (idempotent)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Close the session (idempotent)."""
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; return the status code and the body."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        data: Any = None
        headers: dict[str, str] | None = None
        if request_data is not None:
            files = request_data.multipart_data
            if files:
                form = aiohttp.FormData()
                for name, value in request_data.json_parameters.items():
                    form.add_field(name, value)
                for name, (filename, content, mimetype) in files.items():
                    form.add_field(name, content, filename=filename, content_type=mimetype)
                data = form
            elif method == "POST" and self.LEAN_JSON:
                return await self._post_json(
                    url,
                    orjson.dumps(request_data.parameters),
                    read_timeout,
                    connect_timeout,
                    pool_timeout,
                )
            else:
                data = orjson.dumps(request_data.parameters)
                headers = JSON_HEADERS
        given = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        if all(isinstance(t, DefaultValue) for t in given):
            timeout = self._default
        else:
            timeout = self._timeout(
                *(
                    own if isinstance(t, DefaultValue) else t
                    for t, own in zip(
                        given, (self._read, self._write, self._connect, self._pool), strict=True
                    )
                )
            )
        try:
            async with self._session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as res:
                return res.status, await res.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err

    async def post_json(self, url: str, data: JSONDict) -> Any:
        """POST `data` as JSON and return the result (what BaseRequest.post does, leaner).

        PTB's path builds a RequestData of RequestParameters, logs, wraps and parses for each
        call; at 1,000 messages a second that was a tenth of the sender's CPU per message.
        A reply other than 2xx goes through PTB's own wrapper, so errors are exactly PTB's.
        """
        try:
            body = orjson.dumps(data, default=_as_json)
        except TypeError as exc:
            raise BadRequest(f"cannot encode the request: {exc}") from exc
        default = BaseRequest.DEFAULT_NONE
        code, payload = await self._post_json(url, body, default, default, default)
        if 200 <= code <= 299:
            return self.parse_json_payload(payload)["result"]
        await _Replay(code, payload).post(url)
        raise NetworkError(f"unexpected reply {code}")  # the wrapper raised for any non-2xx

    async def _post_json(
        self,
        url: str,
        body: bytes,
        read_timeout: ODVInput[float],
        connect_timeout: ODVInput[float],
        pool_timeout: ODVInput[float],
    ) -> tuple[int, bytes]:
        """POST a JSON body on a kept-alive connection; errors as PTB's own backends raise."""
        scheme, _, rest = url.partition("://")
        netloc, slash, path = rest.partition("/")
        origin = f"{scheme}://{netloc}"
        pool = self._pools.get(origin)
        if pool is None:
            pool = self._pools[origin] = Connections(
                origin, self._size, user_agent=self.USER_AGENT
            )
        try:
            return await pool.post(
                slash + path,
                body,
                read_timeout=self._read
                if isinstance(read_timeout, DefaultValue)
                else read_timeout,
                connect_timeout=(
                    self._connect if isinstance(connect_timeout, DefaultValue) else connect_timeout
                ),
                pool_timeout=self._pool
                if isinstance(pool_timeout, DefaultValue)
                else pool_timeout,
            )
        except TimeoutError as err:
            raise TimedOut from err
        except (ClosedError, OSError) as err:
            raise NetworkError(f"{err.__class__.__name__}: {err}") from err

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        """Decode a reply with orjson (PTB's default decodes to str, then with json)."""
        try:
            decoded: JSONDict = orjson.loads(payload)
        except orjson.JSONDecodeError as exc:
            raise TelegramError("Invalid server response") from exc
        return decoded
