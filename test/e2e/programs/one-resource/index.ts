/**
 * A test program holding one resource, of the kind and with the arguments the config `case` names
 * (JSON: { kind, args }), for the hostile-input tests.
 */
import * as pulumi from "@pulumi/pulumi";
import { IpAddress, NetNamespace, Route, Sysctl, VethPair } from "../../../../provider/index.js";

const kinds = { IpAddress, NetNamespace, Route, Sysctl, VethPair };
const { kind, args } = JSON.parse(new pulumi.Config().require("case")) as { kind: keyof typeof kinds; args: never };
new kinds[kind]("bad", args);
