"""A DNSSEC test set-up on loopback: zones signed with ldns-keygen + ldns-signzone (Debian
ldnsutils), served by nsd, and unbound as the validating resolver in front of it, with the
zones' keys as its trust anchors (no root anchor: every other name is insecure, none is asked
on the network). Used by the DANE tests (docs/dane.md shows the same unbound set-up)."""
import hashlib
import subprocess
from pathlib import Path

from conftest import free_port, wait_for_port


def spki_sha256(cert: Path) -> str:
    """The hex SHA2-256 of a PEM certificate's SubjectPublicKeyInfo: TLSA "3 1 1" data."""
    pub = subprocess.run(["openssl", "x509", "-in", str(cert), "-noout", "-pubkey"], check=True, capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub, check=True, capture_output=True).stdout
    return hashlib.sha256(der).hexdigest()


def zone_text(origin: str, records: str) -> str:
    return f"""$ORIGIN {origin}.
$TTL 60
@ IN SOA ns.{origin}. hostmaster.{origin}. 1 3600 600 86400 60
@ IN NS ns.{origin}.
ns IN A 127.0.0.1
{records}
"""


def sign(folder: Path, origin: str, text: str) -> tuple[Path, Path]:
    """Writes the zone, makes a KSK and a ZSK (ECDSA P-256) and signs it; returns the signed zone
    file and the KSK's DS record file (the trust anchor)."""
    zone = folder / f"{origin}.zone"
    zone.write_text(text)
    def keygen(*flags: str) -> str:
        out = subprocess.run(["ldns-keygen", "-a", "ECDSAP256SHA256", *flags, origin], cwd=folder, check=True,
                             capture_output=True, text=True).stdout.strip()
        return out
    ksk = keygen("-k")
    zsk = keygen()
    subprocess.run(["ldns-signzone", "-n", str(zone), ksk, zsk], cwd=folder, check=True, capture_output=True)
    return folder / f"{origin}.zone.signed", folder / f"{ksk}.ds"


class DNSSECResolver:
    """nsd (authoritative for `zones`) and unbound (validating, trusting the signed ones) on loopback.
    `zones` maps an origin to (records, signed?)."""

    def __init__(self, folder: Path, zones: dict[str, tuple[str, bool]]):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.procs: list[subprocess.Popen] = []
        anchors, nsd_zones = [], []
        for origin, (records, signed) in zones.items():
            text = zone_text(origin, records)
            if signed:
                zone_file, ds = sign(folder, origin, text)
                anchors.append(ds)
            else:
                zone_file = folder / f"{origin}.zone"
                zone_file.write_text(text)
            nsd_zones.append(f"zone:\n  name: {origin}\n  zonefile: {zone_file}\n")
        self.nsd_port = free_port(udp_too=True)
        (folder / "nsd.conf").write_text(f"""server:
  ip-address: 127.0.0.1@{self.nsd_port}
  port: {self.nsd_port}
  username: ""
  chroot: ""
  database: ""
  zonelistfile: {folder}/zone.list
  xfrdfile: {folder}/xfrd.state
  xfrdir: {folder}
  pidfile: {folder}/nsd.pid
  logfile: {folder}/nsd.log
  server-count: 1
  verbosity: 1
remote-control:
  control-enable: no
""" + "".join(nsd_zones))
        self.procs.append(subprocess.Popen(["nsd", "-d", "-c", str(folder / "nsd.conf")],
                                           stdout=subprocess.DEVNULL, stderr=open(folder / "nsd.err", "w")))
        wait_for_port(self.nsd_port, timeout=15)
        self.port = free_port(udp_too=True)
        stubs = "".join(f'stub-zone:\n  name: "{origin}"\n  stub-addr: 127.0.0.1@{self.nsd_port}\n' for origin in zones)
        trust = "".join(f"  trust-anchor-file: {ds}\n" for ds in anchors)
        (folder / "unbound.conf").write_text(f"""server:
  interface: 127.0.0.1
  port: {self.port}
  do-daemonize: no
  username: ""
  chroot: ""
  directory: {folder}
  pidfile: {folder}/unbound.pid
  use-syslog: no
  logfile: {folder}/unbound.log
  verbosity: 1
  val-log-level: 2
  do-ip6: no
  do-not-query-localhost: no
  access-control: 127.0.0.0/8 allow
  module-config: "validator iterator"
  harden-dnssec-stripped: yes
  qname-minimisation: no
  cache-max-ttl: 5
  cache-max-negative-ttl: 5
{trust}{stubs}""")
        subprocess.run(["unbound-checkconf", str(folder / "unbound.conf")], check=True, capture_output=True)
        self.procs.append(subprocess.Popen(["unbound", "-d", "-c", str(folder / "unbound.conf")],
                                           stdout=subprocess.DEVNULL, stderr=open(folder / "unbound.err", "w")))
        wait_for_port(self.port, timeout=15)

    def stop(self):
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
