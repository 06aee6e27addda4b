// The serialized provider of Route resources: this module's whole exports (see forwarder()).
import { makeForwarder } from "../dynamic.js";

export = makeForwarder("Route");
