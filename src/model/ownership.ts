/**
 * Who owns a local environment. Docker names are global (`berth-<app>-<env>-...`), so two folders that both say
 * `app: app` would replace each other's replicas and share one database. The owner is the absolute path of the
 * berth.yml that first deployed the environment: recorded in the environment's state folder and carried by every
 * container, volume and network as LABEL_PROJECT, so a second project is caught even with its own state folder.
 */

/** The owner record in the environment's state folder (STATE_FILES.owner). */
export interface OwnerRecord {
  /** Absolute path of the owning berth.yml. */
  project: string;
  /** When this project became the owner (first deploy, or `--take-over`). */
  since: string;
}

/**
 * The other project that owns the environment, if any (pure). The record wins when there is one (a take-over
 * rewrites it while older containers still carry the previous owner's label); without a record, the labels of
 * what runs decide. Resources without a project label (made by an older berth) belong to nobody.
 */
export function otherOwner(project: string, record: OwnerRecord | undefined, labelled: Array<string | undefined>): string | undefined {
  if (record) return record.project === project ? undefined : record.project;
  return labelled.find((owner): owner is string => ownedByAnother(owner, project));
}

/** Whether a resource's project label names another project (no label: made by an older berth, nobody's). */
export function ownedByAnother(label: string | undefined, project: string): label is string {
  return label !== undefined && label !== project;
}

/** What a project that does not own the environment is told, and how to get out of it. */
export function ownedElsewhereMessage(app: string, env: string, owner: string): { message: string; hint: string } {
  return {
    message: `app "${app}" (${env}) belongs to ${owner}`,
    hint: `choose another app name in this berth.yml, or destroy it there (berth destroy --config ${owner}); to replace it with this project, deploy with --take-over`,
  };
}
