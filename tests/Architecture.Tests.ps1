# The layout the code keeps (docs/architecture.md): checked on the sources, so that it stays true.
BeforeAll {
    $script:Src = Join-Path (Split-Path $PSScriptRoot -Parent) 'src'
    $script:Engine = Join-Path $Src 'LinuxTrace.Engine'
    function Get-Source([string] $Root) {
        Get-ChildItem $Root -Recurse -Filter *.cs | Where-Object { $_.FullName -notmatch '[\\/](obj|bin)[\\/]' }
    }
}

Describe 'One place per job' {
    It 'writes tracefs only from the Tracefs folder: no write, mkdir or rmdir of a tracefs file anywhere else' {
        $tracefs = Join-Path $Engine 'Tracefs'
        $writers = foreach ($f in (Get-Source $Engine) + (Get-Source (Join-Path $Src 'LinuxTrace'))) {
            if ($f.FullName.StartsWith($tracefs + [IO.Path]::DirectorySeparatorChar)) { continue }
            $n = 0
            foreach ($line in [IO.File]::ReadLines($f.FullName)) {
                $n++
                # TracefsFile's write, TraceInstance.WriteFile, and the instance calls that only Tracefs code should make
                if ($line -match 'TracefsFile\.Write\(|\.WriteFile\(|\.RemoveInstance\(') { "$($f.FullName.Substring($Src.Length + 1)):$n`: $($line.Trim())" }
            }
        }
        $writers | Should -BeNullOrEmpty
    }

    It 'the check above finds a write where one is (it is not blind)' {
        $probe = Join-Path $TestDrive 'Probe.cs'
        Set-Content $probe '    Instance.WriteFile("events/enable", "0");'
        (Select-String -Path $probe -Pattern 'TracefsFile\.Write\(|\.WriteFile\(|\.RemoveInstance\(').Count | Should -Be 1
    }

    It 'has one public type per file, in a file of its name' {
        $decl = '^public\s+(?:(?:sealed|static|abstract|readonly|partial|unsafe|ref)\s+)*(?:class|record struct|record|struct|enum|interface)\s+([A-Z]\w*)'
        $bad = foreach ($f in (Get-Source $Engine) + (Get-Source (Join-Path $Src 'LinuxTrace'))) {
            $types = @(foreach ($line in [IO.File]::ReadLines($f.FullName)) { if ($line -match $decl) { $Matches[1] } })
            $name = $f.BaseName.Split('.')[0]   # TraceSession.Live.cs holds a part of TraceSession
            if ($types.Count -gt 1) { "$($f.Name): $($types -join ', ')" }
            elseif ($types.Count -eq 1 -and $types[0] -ne $name) { "$($f.Name) holds $($types[0])" }
        }
        $bad | Should -BeNullOrEmpty
    }
}
