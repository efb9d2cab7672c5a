; Inno Setup script of the till for Windows 10 and newer (64-bit). Built on Windows only, after
; the PyInstaller bundle (see installer/README.md, "Windows"):
;   iscc /DVersion=0.1.0 installer\windows\loyalty-till.iss
; Keep in step with installer/till.spec (the folder it builds) and installer/linux/make-deb.
#ifndef Version
  #define Version "0.1.0"
#endif

[Setup]
AppId={{6F1B8E36-3B8D-4D8B-9A43-6B2C0E5A7A11}
AppName=Loyalty Till
AppVersion={#Version}
AppPublisher=Loyalty Till
DefaultDirName={autopf}\Loyalty Till
DefaultGroupName=Loyalty Till
OutputDir=..\dist
OutputBaseFilename=loyalty-till-{#Version}-setup
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
Compression=lzma2/normal
SolidCompression=yes
WizardStyle=modern
; The till's home (database, configuration, backups) is the user's data folder,
; %LOCALAPPDATA%\loyalty-till, made at the first start: uninstalling leaves it in place.
UninstallDisplayIcon={app}\LoyaltyTill.exe

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "zh"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Files]
Source: "..\dist\loyalty-till\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Loyalty Till"; Filename: "{app}\LoyaltyTill.exe"
Name: "{group}\Loyalty Till (demo store)"; Filename: "{app}\LoyaltyTill.exe"; Parameters: "--demo"
Name: "{group}\Till doctor"; Filename: "{cmd}"; Parameters: "/k ""{app}\till.exe"" doctor"
Name: "{autodesktop}\Loyalty Till"; Filename: "{app}\LoyaltyTill.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Run]
Filename: "{app}\LoyaltyTill.exe"; Description: "{cm:LaunchProgram,Loyalty Till}"; Flags: nowait postinstall skipifsilent
