"""``export_iati DIR``: write the IATI activity and organisation files into DIR.

``--check`` writes nothing: it reads every published project as the build would and
lists, by project and field, what keeps a project out of the file; it exits with
status 1 when it found anything (so a script can stop on it).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects import selectors
from projects.publishing.build import ACTIVITIES, ORGANISATION, Build, LedgerKeptMoving, build
from registry.management.progress import bar


class Command(BaseCommand):
    help = (
        "Write the IATI 2.03 files of the published projects (activities.xml, "
        "organisation.xml) into DIR, with progress; --check lists what would be left out."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", nargs="?", type=Path, help="folder to write the files into")
        parser.add_argument(
            "--check",
            action="store_true",
            help="write nothing; list the projects that cannot be published, by field",
        )

    def handle(self, *args: Any, dir: Path | None, check: bool, **options: Any) -> None:
        if dir is None and not check:
            raise CommandError("Name the folder to write into: export_iati DIR (or --check).")
        if dir is not None and dir.exists() and not dir.is_dir():
            raise CommandError(f"{dir} is not a folder.")
        try:
            if check:
                with tempfile.TemporaryDirectory(prefix="export-iati-") as scratch:
                    built = self._build(Path(scratch))
            else:
                assert dir is not None
                built = self._build(dir)
        except LedgerKeptMoving as exc:
            raise CommandError(f"No file written: {exc}. Try again.") from None
        except OSError as exc:
            raise CommandError(f"Cannot write into {dir}: {exc.strerror}.") from None
        self._report(built, dir=None if check else dir)
        if check and built.findings:
            raise SystemExit(1)

    def _build(self, folder: Path) -> Build:
        total = selectors.published_count()
        with bar(total=total, desc="iati activities", unit="project") as progress:
            return build(folder, progress=progress.update)

    def _report(self, built: Build, *, dir: Path | None) -> None:
        head = built.provenance.head
        if dir is not None and not built.activities:
            self.stdout.write(
                f"No project can be published: wrote {dir / ORGANISATION} only (IATI has no "
                f"empty activity file), ledger head {head}."
            )
        elif dir is not None:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Wrote {dir / ACTIVITIES} ({built.activities} activities) and "
                    f"{dir / ORGANISATION}, ledger head {head}."
                )
            )
        else:
            self.stdout.write(f"Checked {built.activities} publishable activities at {head}.")
        if not built.findings:
            self.stdout.write("Nothing left out: every published project is in the file.")
            return
        self.stdout.write(
            self.style.WARNING(f"Left out of the file: {len(built.left_out)} project(s).")
        )
        for finding in built.findings:
            self.stdout.write(
                f"{finding.project or '(publisher)'}\t{finding.field}\t{finding.message}"
            )
