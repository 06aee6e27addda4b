// The serialized provider of NetNamespace resources: this module's whole exports (see forwarder()).
import { makeForwarder } from "../dynamic.js";

export = makeForwarder("NetNamespace");
