import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { agentDataDir } from "./agent-home";
import type { InstallServiceCommand, UninstallServiceCommand } from "./cli-args";
import { installPlan, uninstallPlan, type ServiceHost, type ServicePlan } from "./service-plan";

/** This machine, as the service plans need it. */
export function currentServiceHost(): ServiceHost {
  const info = os.userInfo();
  return {
    platform: process.platform,
    env: process.env,
    homeDir: os.homedir(),
    uid: info.uid,
    userName: info.username,
    launcher: agentLauncher(),
    dataDir: agentDataDir(),
  };
}

/**
 * How to start this agent again: the executable alone when it is a single executable, else
 * node with the entry script (a development run from dist/).
 */
export function agentLauncher(): string[] {
  const sea = require("node:sea") as { isSea(): boolean };
  if (sea.isSea()) return [process.execPath];
  return [process.execPath, path.resolve(process.argv[1] as string)];
}

/** `install-service`: writes the service file and enables the service, or prints the plan. */
export function runInstallService(
  command: InstallServiceCommand,
  out: NodeJS.WritableStream,
): number {
  const plan = installPlan(currentServiceHost(), command.scope, command.run);
  if (command.printOnly) return printPlan(plan, out);

  for (const file of plan.files) {
    fs.mkdirSync(path.dirname(file.path), { recursive: true });
    fs.writeFileSync(file.path, file.content);
    out.write(`wrote ${file.path}\n`);
  }
  for (const argv of plan.commands) {
    if (!runCommand(argv, out)) return 1;
  }
  out.write(`service installed (${command.scope})\n`);
  for (const note of plan.notes) out.write(`${note}\n`);
  return 0;
}

/** `uninstall-service`: stops and removes the service; missing pieces are not an error. */
export function runUninstallService(
  command: UninstallServiceCommand,
  out: NodeJS.WritableStream,
): number {
  const plan = uninstallPlan(currentServiceHost(), command.scope);
  if (command.printOnly) return printPlan(plan, out);

  for (const argv of plan.commands) runCommand(argv, out);
  for (const file of plan.remove) {
    fs.rmSync(file, { force: true });
    out.write(`removed ${file}\n`);
  }
  out.write(`service removed (${command.scope})\n`);
  return 0;
}

function printPlan(plan: ServicePlan, out: NodeJS.WritableStream): number {
  for (const file of plan.files) {
    const text = Buffer.isBuffer(file.content) ? "(UTF-16 task XML, below)" : "";
    out.write(`# file ${file.path} ${text}\n`);
    const content = Buffer.isBuffer(file.content)
      ? file.content.subarray(2).toString("utf16le")
      : file.content;
    out.write(content.endsWith("\n") ? content : `${content}\n`);
  }
  for (const file of plan.remove) out.write(`# remove ${file}\n`);
  for (const argv of plan.commands) out.write(`$ ${argv.join(" ")}\n`);
  for (const note of plan.notes) out.write(`# ${note}\n`);
  return 0;
}

function runCommand(argv: string[], out: NodeJS.WritableStream): boolean {
  out.write(`$ ${argv.join(" ")}\n`);
  const [program, ...args] = argv as [string, ...string[]];
  const result = spawnSync(program, args, { stdio: "inherit" });
  if (result.status === 0) return true;

  const why = result.error ? result.error.message : `exit code ${result.status}`;
  out.write(`command failed (${why}): ${argv.join(" ")}\n`);
  return false;
}
