// The Local Images view's nodes: plain data, one discriminated union, stable ids built from what the
// node is (repository name, tag, image id) so refreshes keep selection and expansion.
import type { LocalImage } from '../../docker/engine';

/** Images grouped under one repository name ("127.0.0.1:5000/team/app", "alpine"). */
export interface ImageRepositoryNode {
  kind: 'imageRepository';
  id: string;
  name: string;
}

/**
 * One way to name a local image: by tag (repository:tag), by digest only (pulled by digest), or, for
 * an image with neither, by its id (under the "<untagged>" group).
 */
export interface LocalImageNode {
  kind: 'localImage';
  id: string;
  repository: ImageRepositoryNode;
  tag?: string;
  digest?: string;
  image: LocalImage;
}

/** The engine could not be reached or answered with an error: the words come from describeError. */
export interface EngineErrorNode {
  kind: 'engineError';
  id: string;
  error: unknown;
}

/** A message row: "No images", or the fix under an engine error ("Set registryExplorer.docker.host…"). */
export interface ImagesInfoNode {
  kind: 'imagesInfo';
  id: string;
  message: string;
  icon: string;
  /** Shown after the message, dimmed: e.g. the socket that was tried. */
  description?: string;
  tooltip?: string;
  action?: { command: string; title: string; arguments?: unknown[] };
}

export type ImageNode = ImageRepositoryNode | LocalImageNode | EngineErrorNode | ImagesInfoNode;

export const UNTAGGED = '<untagged>';

export function isImageNode(value: unknown): value is ImageNode {
  if (!value || typeof value !== 'object') return false;
  const kind = (value as { kind?: unknown }).kind;
  return kind === 'imageRepository' || kind === 'localImage' || kind === 'engineError' || kind === 'imagesInfo';
}

/** What the engine accepts for this node: name:tag, name@digest, or the image id. */
export function localReference(node: LocalImageNode): string {
  if (node.tag) return `${node.repository.name}:${node.tag}`;
  if (node.digest) return `${node.repository.name}@${node.digest}`;
  return node.image.id;
}

export const imageIds = {
  repository: (name: string) => `imageRepository:${name}`,
  tag: (name: string, tag: string) => `localImage:${name}:${tag}`,
  digest: (name: string, digest: string) => `localImage:${name}@${digest}`,
  untagged: (imageId: string) => `localImage:${UNTAGGED}/${imageId}`,
  error: () => 'engineError',
  info: (what: string) => `imagesInfo:${what}`,
};

/** "name:tag" → [name, tag]; the tag is after the last colon that follows the last slash. */
export function splitRepoTag(repoTag: string): [string, string] {
  const slash = repoTag.lastIndexOf('/');
  const colon = repoTag.lastIndexOf(':');
  return colon > slash ? [repoTag.slice(0, colon), repoTag.slice(colon + 1)] : [repoTag, 'latest'];
}
