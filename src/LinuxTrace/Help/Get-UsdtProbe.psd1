@{
    Synopsis    = 'Lists the USDT probe points (sys/sdt.h, .note.stapsdt) of programs and libraries.'
    Description = @('Get-UsdtProbe reads the ELF notes that STAP_PROBE and DTRACE_PROBE leave in a file: each UsdtProbe has its Provider and Name, the Address and FileOffset of the probe point (adjusted for .stapsdt.base), the semaphore''s address and file offset when it has one, the note''s ArgumentSpecs (such as -4@%eax) and the same arguments as uprobe fetch arguments (Arguments), with those no uprobe can fetch in Unsupported. Add-UProbe -Sdt places a probe on one.')
    Parameters  = @{
        Path      = 'Programs or libraries: paths (wildcards allowed), programs on PATH, library names (libstdc++).'
        Name      = 'provider:name or name patterns.'
        ProcessId = 'Resolve -Path as this process sees it (the library it has mapped).'
    }
    Examples    = @(
        @{ Title = 'libstdc++''s probe points'; Code = 'Get-UsdtProbe libstdc++'; Remarks = 'Lists libstdcxx:throw, catch and rethrow with their arguments.' }
        @{ Title = 'Probe one'; Code = 'Get-UsdtProbe libstdc++ throw'; Remarks = 'Then: Add-UProbe -Path libstdc++ -Sdt libstdcxx:throw.' }
    )
    Links       = @('Add-UProbe', 'Get-UProbe')
}
