BeforeAll { . $PSScriptRoot/Common.ps1 }

Describe 'Trace instances' {
    It 'creates, lists and removes an instance; Get | Remove pipes by name' {
        $name = New-TestInstanceName
        $i = New-TraceInstance $name -BufferSizeKB 256
        try {
            $i.Name | Should -Be $name
            $i.BufferSizeKB | Should -BeIn (256..272)   # the kernel rounds up to whole pages
            $i.BufferSizeKB | Should -Be ([int](Get-Content "$Tracefs/instances/$name/buffer_size_kb" -Raw).Trim())
            Test-Path "$Tracefs/instances/$name" | Should -BeTrue
            (Get-TraceInstance $name).Name | Should -Be $name
            Get-Completion "Get-TraceInstance -Name $($name.Substring(0, 12))" | Should -Contain $name
        }
        finally { Get-TraceInstance $name | Remove-TraceInstance -Confirm:$false }
        Test-Path "$Tracefs/instances/$name" | Should -BeFalse
    }
    It '-WhatIf changes nothing' {
        $name = New-TestInstanceName
        New-TraceInstance $name -WhatIf
        Test-Path "$Tracefs/instances/$name" | Should -BeFalse
        New-TraceInstance $name | Out-Null
        try {
            Remove-TraceInstance $name -WhatIf
            Test-Path "$Tracefs/instances/$name" | Should -BeTrue
        }
        finally { Remove-TraceInstance $name -Confirm:$false }
    }
    It 'leaves nothing behind when a setting fails' {
        $name = New-TestInstanceName
        { New-TraceInstance $name -Clock noclock -ErrorAction Stop } | Should -Throw -ErrorId 'ClockNotAvailable,LinuxTrace.Commands.NewTraceInstanceCommand'
        Test-Path "$Tracefs/instances/$name" | Should -BeFalse
    }
    It 'reports an instance that does not exist' {
        { Remove-TraceInstance nosuch-instance-xyz -ErrorAction Stop } | Should -Throw -ErrorId 'InstanceNotFound,LinuxTrace.Commands.RemoveTraceInstanceCommand'
        { Get-AvailableTracer -Instance nosuch-instance-xyz } | Should -Throw -ErrorId 'InstanceNotFound,LinuxTrace.Commands.GetAvailableTracerCommand'
    }
}

Describe 'Trace options' {
    BeforeAll {
        $script:name = New-TestInstanceName
        New-TraceInstance $script:name | Out-Null
    }
    AfterAll { Remove-TraceInstance $script:name -Confirm:$false }

    It 'toggles an option in a private instance and restores it' {
        $before = (Get-TraceOption event-fork -Instance $name).Enabled
        $r = Set-TraceOption event-fork -Disable:$before -Instance $name -PassThru
        $r.Enabled | Should -Be (-not $before)
        (Get-Content "$Tracefs/instances/$name/options/event-fork" -Raw).Trim() | Should -Be $(if ($before) { '0' } else { '1' })
        Get-TraceOption event-fork -Instance $name | Set-TraceOption -Disable:(-not $before)
        (Get-TraceOption event-fork -Instance $name).Enabled | Should -Be $before
        # the top instance was not touched
        (Get-TraceOption event-fork).Enabled | Should -Be ((Get-Content "$Tracefs/options/event-fork" -Raw).Trim() -eq '1')
    }
    It '-WhatIf does not change the option' {
        $before = (Get-TraceOption event-fork -Instance $name).Enabled
        Set-TraceOption event-fork -Disable:$before -Instance $name -WhatIf
        (Get-TraceOption event-fork -Instance $name).Enabled | Should -Be $before
    }
    It 'names close matches for an unknown option' {
        $err = $null
        Set-TraceOption evnt-fork -Instance $name -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'OptionNotFound,LinuxTrace.Commands.SetTraceOptionCommand'
        $err[0].Exception.Message | Should -Match 'event-fork'
    }
    It 'completes options and instances' {
        Get-Completion "Set-TraceOption -Instance $name -Name event-f" | Should -Contain 'event-fork'
        Get-Completion "Get-TraceOption -Instance $($name.Substring(0, 12))" | Should -Contain $name
    }
}
