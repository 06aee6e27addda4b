/**
 * The `owner` input every resource passes to its provider (see ownership.ts): project, stack and
 * the resource's name. Project and stack names cannot hold `:`, so the stack part ends at the first.
 */
import * as pulumi from "@pulumi/pulumi";

export function ownerOf(name: string): string {
  return `${pulumi.getProject()}/${pulumi.getStack()}:${name}`;
}
