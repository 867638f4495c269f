; The Windows installer of the desktop app, built by scripts/windows/installer.sh with NSIS's makensis
; (Debian's nsis package). A township clerk runs it without administrator rights: it installs for the
; current user only, into %LOCALAPPDATA%\Programs\techaid, with Start-menu and desktop shortcuts named
; 科技帮扶台账 and an entry in 设置 → 应用 (the current user's Uninstall key). The ledger's data lives
; elsewhere (%LOCALAPPDATA%\techaid\data, storage.DefaultDir) and no install, upgrade or uninstall
; touches it, unless the clerk ticks the box on the uninstaller's page (or passes /REMOVEDATA).
;
; Command line (the options NSIS gives every installer, plus ours):
;   /S            silent: no pages; exit status 0 installed, 1 cancelled, 2 failed (the app stayed open)
;   /RUN          start the app once installed (an upgrade started by the app itself uses /S /RUN)
;   /D=DIR        install into DIR (the last option; an upgrade keeps the folder of the installed copy)
; Uninstaller (uninstall.exe in the install folder):
;   /S            silent; the data is kept
;   /REMOVEDATA   also delete the data folder %LOCALAPPDATA%\techaid (what the box does)
;
; An upgrade is this same installer run over an installed copy: it finds the folder in the registry,
; skips the folder page, waits up to 30 s for a running techaid.exe to exit (the app quits after starting
; its upgrade), replaces the program and the uninstaller, and refreshes the shortcuts the clerk kept.
;
; Defines given by installer.sh: VERSION (shown), VERSION4 (a.b.c.d for the file's version resource),
; EXE (the techaid.exe to install), ICON, OUTFILE, and SIGN (sign.sh, which signs the file it is given,
; when a certificate was given: the uninstaller is signed as it is made).

Target amd64-unicode ; the app is 64-bit only; a 64-bit installer also runs under wine64 alone
ManifestDPIAware true
RequestExecutionLevel user
SetCompressor /SOLID lzma

!define APP "科技帮扶台账"
!define PUBLISHER "淄博市科学技术局"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\techaid"
!define DATADIR "$LOCALAPPDATA\techaid"

Name "${APP}"
Caption "${APP} ${VERSION} 安装"
UninstallCaption "卸载${APP}"
BrandingText "${APP} ${VERSION}"
OutFile "${OUTFILE}"
; Empty, so that .onInit can tell /D= and the registry (InstallDirRegKey) from nothing.
InstallDir ""
InstallDirRegKey HKCU "${UNINSTKEY}" "InstallLocation"
ShowInstDetails nevershow
ShowUninstDetails nevershow

!ifdef SIGN
	!uninstfinalize 'bash "${SIGN}" "%1"'
!endif

!include MUI2.nsh
!include LogicLib.nsh
!include FileFunc.nsh
!include nsDialogs.nsh

Var installed    ; the version installed before, "" on a first install
Var welcome      ; the first page's text: a first install or an upgrade
Var removeData   ; the uninstaller's box (1: delete the data folder too)
Var removeBox

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_ABORTWARNING_TEXT "安装还没有完成，确定要退出吗？"

!define MUI_WELCOMEPAGE_TITLE "安装${APP} ${VERSION}"
!define MUI_WELCOMEPAGE_TEXT "$welcome"
!insertmacro MUI_PAGE_WELCOME
!define MUI_PAGE_CUSTOMFUNCTION_PRE skipOnUpgrade
!define MUI_DIRECTORYPAGE_TEXT_TOP "程序将安装到下面的文件夹（只为当前用户安装，不需要管理员权限）。台账数据不在这里，而在 ${DATADIR}\data。"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_TITLE "${APP}已安装"
!define MUI_FINISHPAGE_TEXT "可以从“开始”菜单或桌面上的“${APP}”打开。$\r$\n$\r$\n以后卸载：设置 → 应用 → ${APP}。"
!define MUI_FINISHPAGE_RUN "$INSTDIR\techaid.exe"
!define MUI_FINISHPAGE_RUN_TEXT "现在打开${APP}"
!insertmacro MUI_PAGE_FINISH

UninstPage custom un.confirmPage un.confirmLeave
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "SimpChinese"

VIProductVersion "${VERSION4}"
VIFileVersion "${VERSION4}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductName" "${APP}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileDescription" "${APP} ${VERSION} 安装程序"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "LegalCopyright" "${PUBLISHER}"

Function .onInit
	SetShellVarContext current
	ReadRegStr $installed HKCU "${UNINSTKEY}" "DisplayVersion"
	${If} $installed == ""
		StrCpy $welcome "将为这台电脑的当前用户安装${APP}，不需要管理员权限。$\r$\n$\r$\n安装后，“开始”菜单和桌面上会有“${APP}”。台账数据保存在本机（${DATADIR}\data），安装和升级都不会改动它。$\r$\n$\r$\n$(^ClickNext)"
	${ElseIf} $installed == "${VERSION}"
		StrCpy $welcome "这台电脑上已经安装了${APP} ${VERSION}，继续将重新安装同一版本（例如程序文件损坏时）。$\r$\n$\r$\n台账数据保存在本机（${DATADIR}\data），重新安装不会改动它。$\r$\n$\r$\n如果${APP}正开着，请先关闭它。$\r$\n$\r$\n$(^ClickNext)"
	${Else}
		StrCpy $welcome "将把这台电脑上的${APP} $installed 升级到 ${VERSION}。$\r$\n$\r$\n台账数据保存在本机（${DATADIR}\data），升级不会改动它；新版本第一次打开时会自动完成必要的数据整理。$\r$\n$\r$\n如果${APP}正开着，请先关闭它。$\r$\n$\r$\n$(^ClickNext)"
	${EndIf}
	${If} $INSTDIR == "" ; neither /D= nor an installed copy
		StrCpy $INSTDIR "$LOCALAPPDATA\Programs\techaid"
	${EndIf}
FunctionEnd

Function skipOnUpgrade
	${If} $installed != ""
		Abort ; the folder stays the installed copy's
	${EndIf}
FunctionEnd

; waitForApp: a running techaid.exe cannot be replaced or deleted (Windows lets no one write to a
; program that runs). An upgrade started by the app gives it up to 30 s to exit; then the clerk is asked
; to close it (Retry/Cancel), and a silent run fails (exit status 2) leaving the old program in place.
!macro waitForApp un
Function ${un}waitForApp
	StrCpy $1 0
	${Do}
		${IfNot} ${FileExists} "$INSTDIR\techaid.exe"
			${Break}
		${EndIf}
		ClearErrors
		FileOpen $0 "$INSTDIR\techaid.exe" a
		${IfNot} ${Errors}
			FileClose $0
			${Break}
		${EndIf}
		IntOp $1 $1 + 1
		${If} $1 >= 60
			MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "${APP}正在运行。请先关闭它的窗口，再点“重试”。" /SD IDCANCEL IDRETRY retry
			SetErrorLevel 2
			Quit
			retry:
			StrCpy $1 0
		${EndIf}
		Sleep 500
	${Loop}
FunctionEnd
!macroend
!insertmacro waitForApp ""
!insertmacro waitForApp "un."

Section "program"
	SectionIn RO
	SetOutPath "$INSTDIR"
	Call waitForApp
	File "/oname=techaid.exe" "${EXE}"
	WriteUninstaller "$INSTDIR\uninstall.exe"

	; Shortcuts: on a first install both; on an upgrade the Start-menu one always (it is how the clerk
	; finds the program) and the desktop one only if the clerk kept it.
	CreateShortcut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\techaid.exe" "" "$INSTDIR\techaid.exe" 0 SW_SHOWNORMAL "" "科技帮扶工作台账"
	${If} $installed == ""
	${OrIf} ${FileExists} "$DESKTOP\${APP}.lnk"
		CreateShortcut "$DESKTOP\${APP}.lnk" "$INSTDIR\techaid.exe" "" "$INSTDIR\techaid.exe" 0 SW_SHOWNORMAL "" "科技帮扶工作台账"
	${EndIf}

	WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "${APP}"
	WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
	WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "${PUBLISHER}"
	WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\techaid.exe"
	WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
	WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
	WriteRegStr HKCU "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
	WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
	WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
	${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
	WriteRegDWORD HKCU "${UNINSTKEY}" "EstimatedSize" $0
SectionEnd

Function .onInstSuccess
	${GetParameters} $0
	ClearErrors
	${GetOptions} $0 "/RUN" $1
	${IfNot} ${Errors}
		Exec '"$INSTDIR\techaid.exe"'
	${EndIf}
FunctionEnd

Function un.onInit
	SetShellVarContext current
	StrCpy $removeData 0
	${GetParameters} $0
	ClearErrors
	${GetOptions} $0 "/REMOVEDATA" $1
	${IfNot} ${Errors}
		StrCpy $removeData 1
	${EndIf}
FunctionEnd

Function un.confirmPage
	!insertmacro MUI_HEADER_TEXT "卸载${APP}" "从这台电脑上删除${APP}程序。"
	nsDialogs::Create 1018
	Pop $0
	${NSD_CreateLabel} 0 0 100% 60u "将删除${APP}程序（$INSTDIR）和“开始”菜单、桌面上的快捷方式。$\r$\n$\r$\n台账数据（${DATADIR}\data）默认保留：以后重新安装，数据还在。"
	Pop $0
	${NSD_CreateCheckbox} 0 70u 100% 12u "同时删除这台电脑上的台账数据"
	Pop $removeBox
	${NSD_CreateLabel} 12u 84u -12u 36u "删除后不能恢复。请先在“设置 → 备份到文件…”备份，或确认记录都已送达市局。"
	Pop $0
	GetDlgItem $0 $HWNDPARENT 1
	SendMessage $0 ${WM_SETTEXT} 0 "STR:卸载(&U)"
	nsDialogs::Show
FunctionEnd

Function un.confirmLeave
	${NSD_GetState} $removeBox $0
	${If} $0 == ${BST_CHECKED}
		MessageBox MB_YESNO|MB_ICONEXCLAMATION|MB_DEFBUTTON2 "确定要删除这台电脑上的全部台账数据吗？删除后不能恢复。" IDYES +2
		Abort
		StrCpy $removeData 1
	${EndIf}
FunctionEnd

Section "Uninstall"
	Call un.waitForApp
	Delete "$INSTDIR\techaid.exe"
	Delete "$INSTDIR\uninstall.exe"
	RMDir "$INSTDIR" ; only if nothing else was put there
	Delete "$SMPROGRAMS\${APP}.lnk"
	Delete "$DESKTOP\${APP}.lnk"
	DeleteRegKey HKCU "${UNINSTKEY}"
	${If} $removeData == 1
		; The data folder, the copies a restore kept beside it, and the app's preferences.
		RMDir /r "${DATADIR}"
		RMDir /r "$APPDATA\fyne\cn.gov.zibo.kjj.techaid"
	${EndIf}
SectionEnd
