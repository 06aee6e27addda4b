// The serialized provider of IpAddress resources: this module's whole exports (see forwarder()).
import { makeForwarder } from "../dynamic.js";

export = makeForwarder("IpAddress");
