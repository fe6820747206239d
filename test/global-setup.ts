/**
 * Once per `vitest run`: the demo hall's first-started data folder that test hubs copy
 * (test/helpers/hub-template.ts), removed when the run ends.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { type HubTemplate, makeHubTemplate } from "./helpers/hub-template.ts";

declare module "vitest" {
  export interface ProvidedContext {
    hubTemplate: HubTemplate;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const parent = await mkdtemp(join(tmpdir(), "onevisit-run-"));
  project.provide("hubTemplate", await makeHubTemplate(parent));
  return () => rm(parent, { recursive: true, force: true });
}
