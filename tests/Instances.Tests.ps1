BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:StateBefore = Get-KernelTraceState
}
AfterAll { Compare-KernelTraceState $script:StateBefore (Get-KernelTraceState) | Should -BeNullOrEmpty }

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
        $before = Get-KernelTraceState
        New-TraceInstance $name -WhatIf
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty
        New-TraceInstance $name | Out-Null
        try {
            $before = Get-KernelTraceState
            Remove-TraceInstance $name -WhatIf
            Get-TraceInstance $name | Remove-TraceInstance -WhatIf
            Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty
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

Describe 'Removing instances another tool made' {
    It 'a wildcard removes only the instances LinuxTrace made; another tool''s takes its name or -Force' {
        $stem = "lt-pester-$PID-rm"
        New-TraceInstance "$stem-ours" | Out-Null
        # another tool's instance: made with mkdir, as trace-cmd and perf do
        New-Item -ItemType Directory -Path "$Tracefs/instances/$stem-theirs" | Out-Null
        try {
            $w = $null
            Remove-TraceInstance "$stem-*" -Confirm:$false -WarningVariable w -WarningAction SilentlyContinue
            Test-Path "$Tracefs/instances/$stem-ours" | Should -BeFalse
            Test-Path "$Tracefs/instances/$stem-theirs" | Should -BeTrue
            "$w" | Should -Match "$stem-theirs.*LinuxTrace did not make it.*-Force"
            Remove-TraceInstance "$stem-*" -Force -Confirm:$false
            Test-Path "$Tracefs/instances/$stem-theirs" | Should -BeFalse
            # by its name, without -Force: the user named it
            New-Item -ItemType Directory -Path "$Tracefs/instances/$stem-named" | Out-Null
            Remove-TraceInstance "$stem-named" -Confirm:$false
            Test-Path "$Tracefs/instances/$stem-named" | Should -BeFalse
        }
        finally {
            foreach ($d in Get-ChildItem "$Tracefs/instances" -Directory -Filter "$stem-*") { [IO.Directory]::Delete($d.FullName) }
        }
    }
}

Describe 'Trace options' {
    BeforeAll {
        $script:name = New-TestInstanceName
        New-TraceInstance $script:name | Out-Null
    }
    AfterAll { Remove-TraceInstance $script:name -Confirm:$false }

    It 'toggles an option in a private instance and restores it' {
        $topBefore = "$(Get-Content "$Tracefs/options/event-fork" -Raw)".Trim()
        $before = (Get-TraceOption event-fork -Instance $name).Enabled
        $r = Set-TraceOption event-fork -Disable:$before -Instance $name -PassThru
        $r.Enabled | Should -Be (-not $before)
        (Get-Content "$Tracefs/instances/$name/options/event-fork" -Raw).Trim() | Should -Be $(if ($before) { '0' } else { '1' })
        Get-TraceOption event-fork -Instance $name | Set-TraceOption -Disable:(-not $before)
        (Get-TraceOption event-fork -Instance $name).Enabled | Should -Be $before
        # the top instance was not touched, and the cmdlet reads it as the file says
        "$(Get-Content "$Tracefs/options/event-fork" -Raw)".Trim() | Should -Be $topBefore
        (Get-TraceOption event-fork).Enabled | Should -Be ($topBefore -eq '1')
    }
    It '-WhatIf does not change the option' {
        $before = "$(Get-Content "$Tracefs/instances/$name/options/event-fork" -Raw)".Trim()
        Set-TraceOption event-fork -Disable:($before -eq '1') -Instance $name -WhatIf
        "$(Get-Content "$Tracefs/instances/$name/options/event-fork" -Raw)".Trim() | Should -Be $before
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
