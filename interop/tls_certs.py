"""Test certificates made with the openssl command: a private CA and leaves it signs, or
self-signed certificates (CA-capable, so they can be their own trust anchor)."""
import subprocess
from pathlib import Path

EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]


def self_signed(folder: Path, name: str, stem: str = "self") -> tuple[Path, Path]:
    """A self-signed certificate for DNS name `name` (basicConstraints CA:TRUE)."""
    cert, key = folder / f"{stem}.pem", folder / f"{stem}.key"
    subprocess.run(["openssl", "req", "-x509", *EC, "-subj", f"/CN={name}", "-days", "2",
                    "-addext", f"subjectAltName=DNS:{name}", "-addext", "basicConstraints=critical,CA:TRUE",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def make_ca(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "ca.pem", folder / "ca.key"
    subprocess.run(["openssl", "req", "-x509", *EC, "-subj", "/CN=Posta Test CA", "-days", "2",
                    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def issue(folder: Path, ca: tuple[Path, Path], name: str, stem: str = "leaf", san: str | None = None) -> tuple[Path, Path]:
    """A server certificate for DNS name `name` (or the subjectAltName `san`, e.g. "IP:127.0.0.7"), signed by `ca`."""
    cert, key, csr, ext = (folder / f"{stem}.pem", folder / f"{stem}.key", folder / f"{stem}.csr", folder / f"{stem}.ext")
    subprocess.run(["openssl", "req", "-new", *EC, "-subj", f"/CN={name}", "-keyout", str(key), "-out", str(csr)],
                   check=True, capture_output=True)
    ext.write_text(f"subjectAltName={san or 'DNS:' + name}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    subprocess.run(["openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca[0]), "-CAkey", str(ca[1]), "-CAcreateserial",
                    "-days", "2", "-extfile", str(ext), "-out", str(cert)], check=True, capture_output=True)
    return cert, key
