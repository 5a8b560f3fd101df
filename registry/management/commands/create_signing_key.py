"""``create_signing_key [FILE]``: make the Ed25519 key that signs the Merkle tree's heads."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from registry import treeheads


class Command(BaseCommand):
    help = (
        "Create a new Ed25519 signing key for the tree heads: a PEM file readable by its "
        "owner only (default SIGNING_KEY_FILE), or with '-' the base64 value for SIGNING_KEY "
        "on standard output. Prints the key id on standard error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", nargs="?", help="where to write the PEM (default: SIGNING_KEY_FILE); '-': print"
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="do nothing when a key is configured already (make run uses this)",
        )

    def handle(self, *args: Any, file: str | None, if_missing: bool, **options: Any) -> None:
        if if_missing and _configured(file):
            return
        key = treeheads.new_key()
        kid = treeheads.key_id(treeheads.public_raw(key))
        if file == "-":
            self.stdout.write(treeheads.raw_base64(key))
            self.stderr.write(f"Signing key {kid}")
            return
        path = Path(file or settings.REGISTRY_SIGNING_KEY_FILE)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CommandError(f"{path} exists: a key is never overwritten") from None
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror}") from None
        with os.fdopen(descriptor, "wb") as out:
            out.write(treeheads.pem(key))
        self.stderr.write(f"Signing key {kid} written to {path}")


def _configured(file: str | None) -> bool:
    """Return True when a key is set in the environment or the file exists."""
    if file is None and settings.REGISTRY_SIGNING_KEY:
        return True
    return Path(file or settings.REGISTRY_SIGNING_KEY_FILE).exists()
