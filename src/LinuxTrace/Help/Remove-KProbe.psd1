@{
    Synopsis    = 'Removes kprobes and kretprobes.'
    Description = @('Remove-KProbe writes -:GROUP/NAME to dynamic_events. A probe that a trace has enabled (in any instance) is not removed: the error names the instances. -Force disables it there first, which ends what those traces see of it. A probe perf or a BPF program uses is refused by the kernel (EBUSY), and the error says so.')
    Parameters  = @{
        Name  = 'Probe names or group:name; wildcards are allowed. Takes Name from the pipeline, so Get-KProbe output pipes in.'
        Group = 'Only probes of this event system; taken from the pipeline with Name.'
        Force = 'Disable the probe wherever it is enabled, then remove it.'
    }
    Examples    = @(
        @{ Title = 'Remove one'; Code = 'Remove-KProbe lt_open'; Remarks = 'Removes kprobes:lt_open.' }
        @{ Title = 'Remove what Get-KProbe finds'; Code = 'Get-KProbe lt_* | Remove-KProbe -WhatIf'; Remarks = 'Shows what would be removed.' }
    )
    Links       = @('Get-KProbe', 'Add-KProbe')
}
