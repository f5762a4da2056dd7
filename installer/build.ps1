# Build 盱眙县信用交通 for Windows: the one-folder application (PyInstaller), its self-test, and the
# installer (NSIS). Run in PowerShell from the repository folder:
#
#   powershell -ExecutionPolicy Bypass -File installer\build.ps1
#   powershell -ExecutionPolicy Bypass -File installer\build.ps1 -Python C:\Python311\python.exe
#
# Prerequisites: Python 3.11 (64-bit), NSIS 3 (makensis.exe on PATH or in C:\Program Files (x86)\NSIS).
# Output: installer\dist\xuyi_desktop\ (the application folder) and installer\dist\xuyi_desktop-setup-<version>.exe
param(
    [string]$Python = "py",
    [switch]$SkipVenv
)
$ErrorActionPreference = "Stop"
$Here = Split-Path -Parent $MyInvocation.MyCommand.Path
$Root = Split-Path -Parent $Here
Set-Location $Root

# A build virtualenv under installer\build (kept out of git), unless told to use $Python as is.
if (-not $SkipVenv) {
    $Venv = Join-Path $Here "build\venv"
    if (-not (Test-Path (Join-Path $Venv "Scripts\python.exe"))) {
        if ($Python -eq "py") { & py -3.11 -m venv $Venv } else { & $Python -m venv $Venv }
        if ($LASTEXITCODE -ne 0) { throw "could not create the virtualenv (is Python 3.11 installed?)" }
    }
    $Python = Join-Path $Venv "Scripts\python.exe"
    & $Python -m pip install --upgrade pip
    & $Python -m pip install -e ".[installer]"
    if ($LASTEXITCODE -ne 0) { throw "pip install failed" }
}
$Version = (& $Python -c "import xuyi_desktop; print(xuyi_desktop.__version__)").Trim()
$Watch = [Diagnostics.Stopwatch]::StartNew()

& $Python (Join-Path $Here "make_icon.py") (Join-Path $Here "build\xuyi_desktop.ico")
if ($LASTEXITCODE -ne 0) { throw "icon failed" }
& $Python -m PyInstaller --noconfirm --clean --distpath (Join-Path $Here "dist") `
    --workpath (Join-Path $Here "build\pyinstaller") (Join-Path $Here "xuyi_desktop.spec")
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }

$App = Join-Path $Here "dist\xuyi_desktop"
Write-Host "== self-test of the frozen build"
# xuyi-desktop.exe is a windowed program: wait for it and read its exit code; it prints to this console
# and to %TEMP%\xuyi_desktop-self-test.log.
$Proc = Start-Process -FilePath (Join-Path $App "xuyi-desktop.exe") -ArgumentList "--self-test" -Wait -PassThru -NoNewWindow
Get-Content (Join-Path $env:TEMP "xuyi_desktop-self-test.log") -Encoding UTF8
if ($Proc.ExitCode -ne 0) { throw "self-test failed (exit code $($Proc.ExitCode))" }
$Size = (Get-ChildItem $App -Recurse | Measure-Object -Property Length -Sum).Sum / 1MB
Write-Host ("== build folder: {0:N0} MB ({1}), built in {2:N0} s" -f $Size, $App, $Watch.Elapsed.TotalSeconds)

$Makensis = (Get-Command makensis.exe -ErrorAction SilentlyContinue).Source
if (-not $Makensis) {
    foreach ($Candidate in @("${env:ProgramFiles(x86)}\NSIS\makensis.exe", "$env:ProgramFiles\NSIS\makensis.exe")) {
        if (Test-Path $Candidate) { $Makensis = $Candidate; break }
    }
}
if (-not $Makensis) { throw "makensis.exe not found: install NSIS 3 (https://nsis.sourceforge.io), then run again" }
& $Makensis -V2 "-DVERSION=$Version" "-DPAYLOAD=dist\xuyi_desktop" "-DICON=build\xuyi_desktop.ico" "-DOUTDIR=dist" `
    (Join-Path $Here "xuyi_desktop.nsi")
if ($LASTEXITCODE -ne 0) { throw "makensis failed" }
Write-Host "== installer: $(Join-Path $Here "dist\xuyi_desktop-setup-$Version.exe")"
