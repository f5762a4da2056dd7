; 盱眙县信用交通桌面系统 (xuyi_desktop) — Windows installer (NSIS 3, Unicode).
;
;   makensis /DVERSION=0.1.0 /DPAYLOAD=dist\xuyi_desktop installer\xuyi_desktop.nsi
;
; (installer\build.ps1 and installer/build.sh pass these; paths are relative to this script's folder.)
; PAYLOAD is the PyInstaller one-folder build (xuyi-desktop.exe, xuyi.exe, _internal\).
; Output: installer\dist\xuyi_desktop-setup-<VERSION>.exe
;
; What it does
; - Installs per machine (administrator rights) into "C:\Program Files\XuyiTransport\xuyi_desktop".
; - Start menu folder and desktop shortcuts for all users; an uninstaller registered in
;   Add/Remove Programs (HKLM\...\Uninstall\xuyi_desktop).
; - Upgrade: running a newer setup over an installed version installs into the same folder; it first removes
;   the old program files it knows about (_internal\, the two .exe) so that no stale file of the old version
;   stays behind (e.g. an old migration script), then copies the new ones. At the next start the program
;   upgrades the database through its migrations, after taking a copy of it under backups\.
;   Installing an OLDER version over a newer one is refused (an old program cannot open a newer database).
; - The data folder (%LOCALAPPDATA%\XuyiTransport\xuyi_desktop: database, backups, settings, keys) is
;   NEVER touched: not on install, not on upgrade, not on uninstall. It is outside the install folder, and this
;   script never names it in any delete. Uninstall removes only the files this setup installed.
; Silent: "xuyi_desktop-setup-0.1.0.exe /S" (install or upgrade), "uninstall.exe /S".

Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma
RequestExecutionLevel admin

!ifndef VERSION
  !define VERSION "0.1.0"
!endif
!ifndef PAYLOAD
  !define PAYLOAD "dist\xuyi_desktop"
!endif
!ifndef ICON
  !define ICON "build\xuyi_desktop.ico"
!endif
!ifndef OUTDIR
  !define OUTDIR "dist"
!endif

!define APP_ID "xuyi_desktop"
!define APP_NAME "盱眙县信用交通桌面系统"
!define SHORT_NAME "盱眙县信用交通"
!define PUBLISHER "盱眙县交通运输局"
!define COMPANY_DIR "XuyiTransport"
!define GUI_EXE "xuyi-desktop.exe"
!define CLI_EXE "xuyi.exe"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_ID}"
!define APP_KEY "Software\${COMPANY_DIR}\${APP_ID}"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "x64.nsh"
!include "FileFunc.nsh"
!include "WordFunc.nsh"

Name "${APP_NAME} ${VERSION}"
OutFile "${OUTDIR}\${APP_ID}-setup-${VERSION}.exe"
InstallDir "$PROGRAMFILES64\${COMPANY_DIR}\${APP_ID}"
; an installed version is upgraded where it is
InstallDirRegKey HKLM "${APP_KEY}" "InstallDir"
BrandingText "${PUBLISHER}"
VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=2052 "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=2052 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=2052 "FileDescription" "${APP_NAME} 安装程序"
VIAddVersionKey /LANG=2052 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "LegalCopyright" "${PUBLISHER}"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${GUI_EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "启动 ${SHORT_NAME}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "SimpChinese"

Var OldVersion

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP|MB_OK "本程序需要64位 Windows 10 或 Windows 11。" /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
  SetShellVarContext all
  ; InstallDirRegKey is read before the registry view is set: read the 64-bit key again
  ReadRegStr $0 HKLM "${APP_KEY}" "InstallDir"
  ${If} $0 != ""
    StrCpy $INSTDIR $0
  ${EndIf}
  ReadRegStr $OldVersion HKLM "${UNINSTALL_KEY}" "DisplayVersion"
  ${If} $OldVersion != ""
    ${VersionCompare} "${VERSION}" "$OldVersion" $1
    ${If} $1 == 2
      MessageBox MB_ICONSTOP|MB_OK "已安装更新的版本 $OldVersion，不能安装旧版本 ${VERSION}（旧程序无法打开新版本的数据库）。$\n如确需降级，请先卸载并联系管理员。" /SD IDOK
      Abort
    ${EndIf}
  ${EndIf}
FunctionEnd

; Refuse to write while the program runs (its files are locked on Windows anyway).
Function CheckNotRunning
  ${If} ${FileExists} "$INSTDIR\${GUI_EXE}"
  retry:
    ClearErrors
    FileOpen $0 "$INSTDIR\${GUI_EXE}" a
    ${If} ${Errors}
      MessageBox MB_ICONEXCLAMATION|MB_RETRYCANCEL "${SHORT_NAME} 正在运行，请先退出程序（所有窗口）后点“重试”。" /SD IDCANCEL IDRETRY retry
      Abort
    ${EndIf}
    FileClose $0
  ${EndIf}
FunctionEnd

Section "Program" SecProgram
  SectionIn RO
  SetRegView 64
  SetShellVarContext all
  Call CheckNotRunning

  ; Upgrade in place: remove the previous version's program files (only ours, by name) before copying.
  ; Never RMDir /r "$INSTDIR" itself (the folder could have been chosen as something shared).
  ${If} $OldVersion != ""
    DetailPrint "升级：$OldVersion → ${VERSION}（数据目录不受影响）"
  ${EndIf}
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${GUI_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"

  SetOutPath "$INSTDIR"
  File /r "${PAYLOAD}\*.*"
  File "/oname=$INSTDIR\xuyi_desktop.ico" "${ICON}"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  ; shortcuts for every user
  CreateDirectory "$SMPROGRAMS\${SHORT_NAME}"
  CreateShortcut "$SMPROGRAMS\${SHORT_NAME}\${SHORT_NAME}.lnk" "$INSTDIR\${GUI_EXE}" "" "$INSTDIR\xuyi_desktop.ico" 0
  CreateShortcut "$SMPROGRAMS\${SHORT_NAME}\卸载 ${SHORT_NAME}.lnk" "$INSTDIR\uninstall.exe"
  CreateShortcut "$DESKTOP\${SHORT_NAME}.lnk" "$INSTDIR\${GUI_EXE}" "" "$INSTDIR\xuyi_desktop.ico" 0

  ; Add/Remove Programs
  WriteRegStr HKLM "${APP_KEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "${APP_KEY}" "Version" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\xuyi_desktop.ico"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "EstimatedSize" "$0"
SectionEnd

Function un.onInit
  SetRegView 64
  SetShellVarContext all
FunctionEnd

; Uninstall removes exactly what the setup installed. The data folder
; (%LOCALAPPDATA%\XuyiTransport\xuyi_desktop of each user) stays: database, backups, keys, settings.
Section "Uninstall"
  SetRegView 64
  SetShellVarContext all
  ${If} ${FileExists} "$INSTDIR\${GUI_EXE}"
    ClearErrors
    FileOpen $0 "$INSTDIR\${GUI_EXE}" a
    ${If} ${Errors}
      MessageBox MB_ICONSTOP|MB_OK "${SHORT_NAME} 正在运行，请先退出程序再卸载。" /SD IDOK
      Abort
    ${EndIf}
    FileClose $0
  ${EndIf}

  Delete "$DESKTOP\${SHORT_NAME}.lnk"
  Delete "$SMPROGRAMS\${SHORT_NAME}\${SHORT_NAME}.lnk"
  Delete "$SMPROGRAMS\${SHORT_NAME}\卸载 ${SHORT_NAME}.lnk"
  RMDir "$SMPROGRAMS\${SHORT_NAME}"

  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${GUI_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  Delete "$INSTDIR\xuyi_desktop.ico"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"  ; only if empty
  RMDir "$PROGRAMFILES64\${COMPANY_DIR}"  ; only if empty

  DeleteRegKey HKLM "${UNINSTALL_KEY}"
  DeleteRegKey HKLM "${APP_KEY}"
  DeleteRegKey /ifempty HKLM "Software\${COMPANY_DIR}"
SectionEnd
