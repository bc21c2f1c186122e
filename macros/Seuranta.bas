Attribute VB_Name = "Seuranta"
' The Seuranta ribbon tab: one short Sub per button (customUI14.xml calls them).
' Each reaches Python (seuranta_xl.excel) through the installed xlwings add-in, so the
' workbook carries no copy of xlwings' VBA. Every message but two comes from Python.
Option Explicit

Public Sub Tarkista(control As IRibbonControl)
    RunPython "import seuranta_xl.excel as x; x.validate()"
End Sub

Public Sub LuoTyokirjat(control As IRibbonControl)
    RunPython "import seuranta_xl.excel as x; x.generate()"
End Sub

Public Sub YhdistaPalautukset(control As IRibbonControl)
    RunPython "import seuranta_xl.excel as x; x.merge()"
End Sub

Public Sub PaivitaYhteenveto(control As IRibbonControl)
    RunPython "import seuranta_xl.excel as x; x.summary()"
End Sub

Public Sub Ohje(control As IRibbonControl)
    RunPython "import seuranta_xl.excel as x; x.show_help()"
End Sub

' Pure VBA, no Python: shows the master's hidden settings sheet.
Public Sub Asetukset(control As IRibbonControl)
    Dim sheet As Object
    On Error Resume Next
    Set sheet = ActiveWorkbook.Worksheets("Asetukset")
    On Error GoTo 0
    If sheet Is Nothing Then
        MsgBox "Avoinna olevassa työkirjassa ei ole Asetukset-välilehteä. " & _
            "Avaa seurannan päätyökirja ja valitse Asetukset uudelleen.", vbExclamation, "Seuranta"
        Exit Sub
    End If
    sheet.Visible = xlSheetVisible
    sheet.Activate
End Sub

' Runs a Python command through xlwings' add-in (xlwings.xlam, module Main), which passes the
' active workbook to Python as xw.Book.caller().
Private Sub RunPython(ByVal pythonCode As String)
    Dim xlwingsBook As Object
    On Error Resume Next
    Set xlwingsBook = Application.Workbooks("xlwings.xlam")
    On Error GoTo 0
    If xlwingsBook Is Nothing Then
        MsgBox "Seuranta tarvitsee xlwings-apuohjelman. Asenna se komennolla " & _
            "xlwings addin install ja käynnistä Excel uudelleen. Ohjeet: docs/excel.md.", _
            vbExclamation, "Seuranta"
        Exit Sub
    End If
    Application.Run "'xlwings.xlam'!RunPython", pythonCode
End Sub
