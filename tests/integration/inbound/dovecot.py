"""A throwaway Dovecot IMAP server on loopback, for the inbound-mail integration tests.

Debian's `dovecot-imapd` started with a config of its own under a temporary folder: a free port on
127.0.0.1, plaintext login (loopback only), a passwd-file of users and a maildir per user. No system
service is touched. Where the tests run as root (CI), Dovecot refuses root for its processes, so:
login processes keep the package's `dovenull`/`dovecot` users, mail is stored as the `mail` user
(uid 8, hence `first_valid_uid = 1`), and every folder on the way is traversable (0755) — which is
why the server lives in its own folder under /tmp rather than in pytest's private tmp_path.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def binary(name: str) -> str | None:
    return shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/usr/bin") / name) if p.exists()), None
    )


def installed() -> bool:
    return binary("dovecot") is not None and binary("doveadm") is not None


@dataclass
class Account:
    user: str
    password: str
    port: int
    host: str = HOST

    @property
    def url(self) -> str:
        return f"imap://{quote(self.user)}:{quote(self.password)}@{self.host}:{self.port}/INBOX"


@dataclass
class Dovecot:
    root: Path
    port: int
    user: str
    password: str
    host: str = HOST
    accounts: list[Account] = field(default_factory=list)  # handed out
    spare: list[Account] = field(default_factory=list)
    process: subprocess.Popen | None = None

    @property
    def config(self) -> Path:
        return self.root / "dovecot.conf"

    @property
    def log(self) -> Path:
        return self.root / "dovecot.log"

    @property
    def url(self) -> str:
        return Account(self.user, self.password, self.port, self.host).url

    def new_account(self) -> Account:
        """A user of its own with an empty mailbox, from the accounts written before the start
        (Dovecot rereads a changed passwd-file only after a delay, so none is added later)."""
        if not self.spare:
            raise RuntimeError("no spare accounts left: start the server with more")
        account = self.spare.pop(0)
        self.accounts.append(account)
        return account

    def maildir(self, user: str) -> Path:
        return self.root / "mail" / user

    def log_tail(self, size: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-size:] if self.log.exists() else ""


def _ids() -> tuple[int, int, str, str]:
    """(mail uid, mail gid, login user, internal user) for the processes Dovecot starts."""
    if os.geteuid() == 0:
        mail = pwd.getpwnam("mail")
        return mail.pw_uid, mail.pw_gid, "dovenull", "dovecot"
    me = pwd.getpwuid(os.geteuid())
    return me.pw_uid, me.pw_gid, me.pw_name, me.pw_name


def write_config(root: Path, port: int) -> Path:
    uid, gid, login_user, internal_user = _ids()
    defaults = os.geteuid() == 0  # as root, keep the package's own unprivileged users
    users = (
        ""
        if defaults
        else (f"default_login_user = {login_user}\ndefault_internal_user = {internal_user}\n")
    )
    config = root / "dovecot.conf"
    config.write_text(
        f"""# A throwaway Dovecot for tests; nothing here is meant for a real server.
protocols = imap
listen = {HOST}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
mail_fsync = never
{users}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {HOST}
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""
    )
    return config


def start(user: str = "coalition", *, spare_accounts: int = 30, timeout: float = 20) -> Dovecot:
    """Start a server in a fresh folder; raise RuntimeError (with its log) if it does not answer.
    Its main account is `user`; `new_account()` hands out the spare ones."""
    root = Path(tempfile.mkdtemp(prefix="coalition-dovecot-"))
    root.chmod(0o755)
    uid, gid, *_users = _ids()
    (root / "mail").mkdir(mode=0o755)
    os.chown(root / "mail", uid, gid)
    port = free_port()
    main = Account(user, secrets.token_hex(8), port)
    spare = [Account(f"u{n:03d}", secrets.token_hex(8), port) for n in range(spare_accounts)]
    server = Dovecot(root=root, port=port, user=user, password=main.password, spare=spare)
    passwd = root / "passwd"
    passwd.write_text("".join(f"{a.user}:{{PLAIN}}{a.password}\n" for a in [main, *spare]))
    passwd.chmod(0o644)  # read by Dovecot's auth process, which is not root
    write_config(root, server.port)
    # In the foreground (-F), as a child of this process: a daemonised master would keep this
    # process's pipes open, and a child can be waited for when it stops.
    with (root / "dovecot.out").open("wb") as out:
        server.process = subprocess.Popen(
            [binary("dovecot"), "-F", "-c", str(server.config)],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    if not _answers(server, timeout):
        log = server.log_tail() + (root / "dovecot.out").read_text(errors="replace")
        stop(server)
        raise RuntimeError(f"dovecot did not answer on {HOST}:{server.port} in {timeout}s\n{log}")
    return server


def _answers(server: Dovecot, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process is not None and server.process.poll() is not None:
            return False  # it exited: the log says why
        try:
            with socket.create_connection((server.host, server.port), timeout=2) as conn:
                if conn.recv(100).startswith(b"* OK"):
                    return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def stop(server: Dovecot, timeout: float = 20) -> None:
    """Stop the server (its master and every child) and remove its folder."""
    process = server.process
    subprocess.run(
        [binary("doveadm"), "-c", str(server.config), "stop"], capture_output=True, check=False
    )
    if process is not None:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        server.process = None
    shutil.rmtree(server.root, ignore_errors=True)
