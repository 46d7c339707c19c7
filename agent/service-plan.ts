import path from "node:path";
import type { RunCommand, ServiceScope } from "./cli-args";
import {
  LAUNCHD_LABEL,
  launchdPlist,
  SYSTEMD_UNIT_NAME,
  systemdUnit,
  utf16WithBom,
  WINDOWS_TASK_NAME,
  windowsTaskXml,
  type ServiceSpec,
} from "./service-files";

/** Everything install-service or uninstall-service does, decided before anything is done. */
export interface ServicePlan {
  /** Written before the commands run (install). */
  files: { path: string; content: string | Buffer }[];
  /** Run in order; on install the first that fails stops it, uninstall goes on. */
  commands: string[][];
  /** Removed after the commands ran (uninstall). */
  remove: string[];
  /** Said to the volunteer at the end. */
  notes: string[];
}

/** The facts of the machine a plan depends on, so tests can plan for any OS. */
export interface ServiceHost {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  homeDir: string;
  uid: number;
  userName: string;
  /** How to start this agent: the executable, plus the script when run by a plain node. */
  launcher: readonly string[];
  /** Per-user data dir, for the crash log of a user service. */
  dataDir: string;
}

/** The config and data dir a system-wide service uses, readable before anyone logs in. */
export function systemHomeDir(host: Pick<ServiceHost, "platform" | "env">): string {
  if (host.platform === "win32") {
    return path.win32.join(host.env.ProgramData ?? "C:\\ProgramData", "battle-tracker");
  }
  if (host.platform === "darwin") return "/Library/Application Support/battle-tracker";
  return "/var/lib/battle-tracker";
}

/** The run command line the service starts: the same options as given to install-service. */
export function serviceArgs(run: RunCommand, home: string | undefined): string[] {
  // Without --server the enrolled credential names the coordinator.
  const args = run.server ? ["run", "--server", run.server] : ["run"];
  if (run.name !== undefined) args.push("--name", run.name);
  if (run.capacity !== 4) args.push("--capacity", String(run.capacity));
  if (run.agentId !== undefined) args.push("--agent-id", run.agentId);
  if (home !== undefined) args.push("--home", home);
  return args;
}

export function installPlan(host: ServiceHost, scope: ServiceScope, run: RunCommand): ServicePlan {
  // A home chosen for this install (flag or environment) must reach the service too.
  const chosen = run.home ?? (host.env.TRACKER_AGENT_HOME || undefined);
  const home = chosen ?? (scope === "system" ? systemHomeDir(host) : undefined);
  const [program, ...launcherArgs] = host.launcher as [string, ...string[]];
  const dataDir = home ?? host.dataDir;
  const spec: ServiceSpec = {
    scope,
    program,
    args: [...launcherArgs, ...serviceArgs(run, home)],
    env: supervisedEnv(host.platform),
    crashLogFile: joinFor(host.platform, dataDir, "service-stderr.log"),
    windowsUser: windowsUser(host),
  };

  if (host.platform === "win32") return windowsInstall(spec, dataDir);
  if (host.platform === "darwin") return launchdInstall(host, spec);
  return systemdInstall(host, spec);
}

export function uninstallPlan(host: ServiceHost, scope: ServiceScope): ServicePlan {
  if (host.platform === "win32") {
    const stop = ["schtasks", "/End", "/TN", WINDOWS_TASK_NAME];
    const remove = ["schtasks", "/Delete", "/TN", WINDOWS_TASK_NAME, "/F"];
    return { files: [], commands: [stop, remove], remove: [], notes: [] };
  }
  if (host.platform === "darwin") {
    const bootout = ["launchctl", "bootout", `${launchdDomain(host, scope)}/${LAUNCHD_LABEL}`];
    return { files: [], commands: [bootout], remove: [launchdFile(host, scope)], notes: [] };
  }
  const disable = [...systemctlFor(scope), "disable", "--now", SYSTEMD_UNIT_NAME];
  return { files: [], commands: [disable], remove: [systemdFile(host, scope)], notes: [] };
}

function systemdInstall(host: ServiceHost, spec: ServiceSpec): ServicePlan {
  const systemctl = systemctlFor(spec.scope);
  const journal = spec.scope === "user" ? "journalctl --user" : "journalctl";
  const notes = [`its output: ${journal} -u ${SYSTEMD_UNIT_NAME}`];
  if (spec.scope === "user") {
    notes.push(`to run it while you are logged out too: loginctl enable-linger ${host.userName}`);
  }
  return {
    files: [{ path: systemdFile(host, spec.scope), content: systemdUnit(spec) }],
    commands: [
      [...systemctl, "daemon-reload"],
      [...systemctl, "enable", "--now", SYSTEMD_UNIT_NAME],
    ],
    remove: [],
    notes,
  };
}

function launchdInstall(host: ServiceHost, spec: ServiceSpec): ServicePlan {
  const file = launchdFile(host, spec.scope);
  return {
    files: [{ path: file, content: launchdPlist(spec) }],
    commands: [["launchctl", "bootstrap", launchdDomain(host, spec.scope), file]],
    remove: [],
    notes: [`check it with: launchctl print ${launchdDomain(host, spec.scope)}/${LAUNCHD_LABEL}`],
  };
}

function windowsInstall(spec: ServiceSpec, dataDir: string): ServicePlan {
  const file = path.win32.join(dataDir, "battle-tracker-agent-task.xml");
  return {
    files: [{ path: file, content: utf16WithBom(windowsTaskXml(spec)) }],
    commands: [
      ["schtasks", "/Create", "/TN", WINDOWS_TASK_NAME, "/XML", file, "/F"],
      ["schtasks", "/Run", "/TN", WINDOWS_TASK_NAME],
    ],
    remove: [],
    notes: [`check it with: schtasks /Query /TN "${WINDOWS_TASK_NAME}" /V /FO LIST`],
  };
}

/**
 * systemd and launchd restart the agent when it exits, so a self-update hands over by exiting
 * (TRACKER_AGENT_SUPERVISED=1). Task Scheduler restarts a task only after a minute, so on
 * Windows the agent starts its new version itself.
 */
function supervisedEnv(platform: NodeJS.Platform): Record<string, string> {
  return platform === "win32" ? {} : { TRACKER_AGENT_SUPERVISED: "1" };
}

function systemctlFor(scope: ServiceScope): string[] {
  return scope === "user" ? ["systemctl", "--user"] : ["systemctl"];
}

function systemdFile(host: ServiceHost, scope: ServiceScope): string {
  if (scope === "system") return path.posix.join("/etc/systemd/system", SYSTEMD_UNIT_NAME);
  const config = host.env.XDG_CONFIG_HOME || path.posix.join(host.homeDir, ".config");
  return path.posix.join(config, "systemd", "user", SYSTEMD_UNIT_NAME);
}

function launchdFile(host: ServiceHost, scope: ServiceScope): string {
  const user = path.posix.join(host.homeDir, "Library", "LaunchAgents");
  const dir = scope === "system" ? "/Library/LaunchDaemons" : user;
  return path.posix.join(dir, `${LAUNCHD_LABEL}.plist`);
}

function launchdDomain(host: ServiceHost, scope: ServiceScope): string {
  return scope === "system" ? "system" : `gui/${host.uid}`;
}

function windowsUser(host: ServiceHost): string {
  const domain = host.env.USERDOMAIN;
  return domain ? `${domain}\\${host.userName}` : host.userName;
}

function joinFor(platform: NodeJS.Platform, ...parts: string[]): string {
  return platform === "win32" ? path.win32.join(...parts) : path.posix.join(...parts);
}
