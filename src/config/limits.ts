/**
 * How much of anything berth reads from a berth.yml. A real file is a few kilobytes and about eight levels deep;
 * the caps sit far above that and far below what would cost memory, time or a stack overflow to refuse.
 * docs/berth-yml.md lists them (reference.ts, READING_RULES).
 */

/** --config and berth.yml: larger files are refused before they are read. */
export const CONFIG_FILE_MAX_BYTES = 1024 * 1024;

/** Levels of nesting (mappings and lists); `environments.prod.services.web.count.schedule[0].cron` is 8. */
export const CONFIG_MAX_DEPTH = 32;

/** Keys and values (YAML scalars) in the whole file: a large berth.yml has a few hundred. */
export const CONFIG_MAX_VALUES = 5000;

/** YAML aliases (`*name`) in the file, and the copies they may expand into (the yaml library's maxAliasCount). */
export const CONFIG_MAX_ALIASES = 100;

/** One env value or build argument value. */
export const ENV_VALUE_MAX = 32 * 1024;

/** Any key: env and secret names, service and environment names, build argument names. */
export const NAME_MAX = 256;

/** build.context, build.dockerfile. */
export const PATH_MAX = 1024;

/** One word of a command (command, health.command, release.before), and the words in one command. */
export const COMMAND_WORD_MAX = 4096;
export const COMMAND_WORDS_MAX = 256;

/** health.path: the load balancer's limit for a health check path. */
export const HEALTH_PATH_MAX = 1024;

/** image, localImage: a registry host, a repository path of at most 255 characters, a tag and a digest. */
export const IMAGE_REFERENCE_MAX = 512;

/** Every other text value (region, host names, cron, e-mail, ...). */
export const TEXT_MAX = 1024;

/** A Dockerfile berth reads to check it (is it one? FROM scratch?): larger files are not Dockerfiles berth builds. */
export const DOCKERFILE_MAX_BYTES = 1024 * 1024;
