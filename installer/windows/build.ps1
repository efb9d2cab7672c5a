# Builds the till for Windows (run in PowerShell from the repository root, with Python 3.11+
# and Inno Setup 6 installed). Not run on the Linux development machines: kept in step with
# installer/build-linux by hand (same spec, same translations step).
$ErrorActionPreference = "Stop"
python -m venv .venv
.venv\Scripts\python -m pip install -e ".[dev]"
New-Item -ItemType Directory -Force installer\build\qm | Out-Null
.venv\Scripts\python -c "from pathlib import Path; from ui.i18n import ensure_qm; ensure_qm(Path('installer/build/qm'))"
# The program icon, drawn from the same SVG as the Linux one.
.venv\Scripts\python -c "from PySide6.QtGui import QGuiApplication, QIcon; app = QGuiApplication([]); QIcon('installer/linux/loyalty-till.svg').pixmap(256, 256).save('installer/windows/loyalty-till.ico')"
.venv\Scripts\pyinstaller --noconfirm --distpath installer\dist --workpath installer\build\pyinstaller installer\till.spec
$version = (.venv\Scripts\python -c "from importlib.metadata import version; print(version('loyalty-till'))")
& "${env:ProgramFiles(x86)}\Inno Setup 6\iscc.exe" "/DVersion=$version" installer\windows\loyalty-till.iss
