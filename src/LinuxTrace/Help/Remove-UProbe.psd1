@{
    Synopsis    = 'Removes uprobes and uretprobes.'
    Description = @('Remove-UProbe writes -:GROUP/NAME to dynamic_events. A probe that a trace has enabled (in any instance) is not removed: the error names the instances. -Force disables it there first. A probe perf or a BPF program uses is refused by the kernel (EBUSY), and the error says so.')
    Parameters  = @{
        Name  = 'Probe names or group:name; wildcards are allowed. Takes Name from the pipeline, so Get-UProbe output pipes in.'
        Group = 'Only probes of this event system; taken from the pipeline with Name.'
        Force = 'Disable the probe wherever it is enabled, then remove it.'
    }
    Examples    = @(
        @{ Title = 'Remove one'; Code = 'Remove-UProbe lt_getpid'; Remarks = 'Removes uprobes:lt_getpid.' }
        @{ Title = 'Remove every user probe'; Code = 'Get-UProbe | Remove-UProbe -Confirm'; Remarks = 'Asks before removing each one.' }
    )
    Links       = @('Get-UProbe', 'Add-UProbe')
}
