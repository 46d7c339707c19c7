import type { ServiceScope } from "./cli-args";

/** What every service definition needs, whatever the OS. */
export interface ServiceSpec {
  scope: ServiceScope;
  /** The executable the service starts, absolute. */
  program: string;
  /** Its arguments, e.g. ["run", "--server", "tracker.example.org:7400"]. */
  args: readonly string[];
  /** Environment the agent gets (launchd and systemd only; the Windows task passes flags). */
  env: Readonly<Record<string, string>>;
  /** Where stderr of a crash at start goes (launchd); the agent's own log is in the data dir. */
  crashLogFile: string;
  /** DOMAIN\user of the volunteer for a Windows logon task. */
  windowsUser: string;
}

export const SERVICE_DESCRIPTION = "Battle Tracker volunteer agent";
export const SYSTEMD_UNIT_NAME = "battle-tracker-agent.service";
export const LAUNCHD_LABEL = "org.battle-tracker.agent";
export const WINDOWS_TASK_NAME = "Battle Tracker Agent";
/** Seconds between restarts after a crash: long enough not to spin, short enough to matter. */
export const RESTART_DELAY_S = 10;
/** Niceness for systemd and launchd; Windows uses task priority 7 (below normal). */
export const SERVICE_NICE = 10;

/** A systemd unit (user or system) that restarts the agent and runs it niced, idle I/O. */
export function systemdUnit(spec: ServiceSpec): string {
  const system = spec.scope === "system";
  const command = [spec.program, ...spec.args].map(systemdQuote).join(" ");
  const environment = Object.entries(spec.env).map(
    ([name, value]) => `Environment=${systemdQuote(`${name}=${value}`)}`,
  );

  return [
    "[Unit]",
    `Description=${SERVICE_DESCRIPTION}`,
    // Only the system manager has network-online.target; a user unit just retries.
    ...(system ? ["Wants=network-online.target", "After=network-online.target"] : []),
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${command}`,
    ...environment,
    "Restart=always",
    `RestartSec=${RESTART_DELAY_S}`,
    `Nice=${SERVICE_NICE}`,
    "IOSchedulingClass=idle",
    "TimeoutStopSec=30",
    ...(system ? ["NoNewPrivileges=yes", "PrivateTmp=yes"] : []),
    "",
    "[Install]",
    `WantedBy=${system ? "multi-user.target" : "default.target"}`,
    "",
  ].join("\n");
}

/** Quotes one word of a systemd command line: "…" with \ escapes, % and $ doubled. */
export function systemdQuote(word: string): string {
  const escaped = word.replace(/%/g, "%%").replace(/\$/g, "$$$$");
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** A launchd property list: a LaunchAgent (user, at login) or LaunchDaemon (system, at boot). */
export function launchdPlist(spec: ServiceSpec): string {
  const strings = (values: readonly string[]) =>
    values.map((value) => `    <string>${xmlEscape(value)}</string>`);
  const variables = Object.entries(spec.env).flatMap(([name, value]) => [
    `    <key>${xmlEscape(name)}</key>`,
    `    <string>${xmlEscape(value)}</string>`,
  ]);
  const env = variables.length === 0 ? [] : ["  <key>EnvironmentVariables</key>", "  <dict>"];
  if (env.length > 0) env.push(...variables, "  </dict>");

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" ' +
      '"http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    "<dict>",
    `  <key>Label</key>`,
    `  <string>${LAUNCHD_LABEL}</string>`,
    "  <key>ProgramArguments</key>",
    "  <array>",
    ...strings([spec.program, ...spec.args]),
    "  </array>",
    ...env,
    "  <key>RunAtLoad</key>",
    "  <true/>",
    "  <key>KeepAlive</key>",
    "  <true/>",
    "  <key>ThrottleInterval</key>",
    `  <integer>${RESTART_DELAY_S}</integer>`,
    "  <key>ProcessType</key>",
    "  <string>Background</string>",
    "  <key>LowPriorityIO</key>",
    "  <true/>",
    "  <key>Nice</key>",
    `  <integer>${SERVICE_NICE}</integer>`,
    "  <key>StandardErrorPath</key>",
    `  <string>${xmlEscape(spec.crashLogFile)}</string>`,
    "</dict>",
    "</plist>",
    "",
  ].join("\n");
}

/**
 * A Task Scheduler task: at logon of the volunteer (user) or at boot as LocalSystem (system),
 * restarted after a failure, never stopped for running long or for a battery.
 */
export function windowsTaskXml(spec: ServiceSpec): string {
  const system = spec.scope === "system";
  const trigger = system
    ? ["    <BootTrigger>", "      <Enabled>true</Enabled>", "    </BootTrigger>"]
    : [
        "    <LogonTrigger>",
        "      <Enabled>true</Enabled>",
        `      <UserId>${xmlEscape(spec.windowsUser)}</UserId>`,
        "    </LogonTrigger>",
      ];
  const principal = system
    ? ["      <UserId>S-1-5-18</UserId>", "      <RunLevel>LeastPrivilege</RunLevel>"]
    : [
        `      <UserId>${xmlEscape(spec.windowsUser)}</UserId>`,
        "      <LogonType>InteractiveToken</LogonType>",
        "      <RunLevel>LeastPrivilege</RunLevel>",
      ];

  return [
    '<?xml version="1.0" encoding="UTF-16"?>',
    '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">',
    "  <RegistrationInfo>",
    `    <Description>${SERVICE_DESCRIPTION}</Description>`,
    "  </RegistrationInfo>",
    "  <Triggers>",
    ...trigger,
    "  </Triggers>",
    "  <Principals>",
    '    <Principal id="Author">',
    ...principal,
    "    </Principal>",
    "  </Principals>",
    "  <Settings>",
    "    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>",
    "    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>",
    "    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>",
    "    <StartWhenAvailable>true</StartWhenAvailable>",
    "    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>",
    "    <RestartOnFailure>",
    "      <Interval>PT1M</Interval>",
    "      <Count>999</Count>",
    "    </RestartOnFailure>",
    "    <Priority>7</Priority>",
    "  </Settings>",
    '  <Actions Context="Author">',
    "    <Exec>",
    `      <Command>${xmlEscape(spec.program)}</Command>`,
    `      <Arguments>${xmlEscape(spec.args.map(windowsQuote).join(" "))}</Arguments>`,
    "    </Exec>",
    "  </Actions>",
    "</Task>",
    "",
  ].join("\r\n");
}

/** schtasks reads a task file as UTF-16 (little endian, with a byte order mark). */
export function utf16WithBom(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
}

/** Quotes one argument the way the Windows C runtime splits a command line. */
export function windowsQuote(arg: string): string {
  if (arg !== "" && !/[\s"]/.test(arg)) return arg;
  const escaped = arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, "$1$1");
  return `"${escaped}"`;
}

function xmlEscape(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}
