// The serialized provider of Sysctl resources: this module's whole exports (see forwarder()).
import { makeForwarder } from "../dynamic.js";

export = makeForwarder("Sysctl");
