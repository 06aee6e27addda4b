// The serialized provider of VethPair resources: this module's whole exports (see forwarder()).
import { makeForwarder } from "../dynamic.js";

export = makeForwarder("VethPair");
