// The origin lab in Go, through the netns package: two namespaces, ns0 and ns1, each joined by a
// veth pair to a host namespace that forwards between them, so that they reach each other.
//
//	ns0: veth12 10.1.10.2/24 ── veth11 10.1.10.1/24  host  veth21 10.1.20.1/24 ── veth22 10.1.20.2/24 :ns1
//
// The host role has a namespace of its own, so the lab never changes the machine's root
// namespace. Config `prefix` (optional, at most 9 characters) goes before every name, so that two
// stacks can coexist.
package main

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
	"pulumi-netns/sdk/go/netns"
)

// spoke joins namespace ns to the host by the veth pair veth<n>1-veth<n>2 on subnet.0/24, and routes
// other.0/24 from ns through the host.
func spoke(ctx *pulumi.Context, prefix string, n int, host, ns *netns.NetNamespace, subnet, other string) ([]pulumi.Resource, error) {
	pair, err := netns.NewVethPair(ctx, fmt.Sprintf("veth%d1-veth%d2", n, n), &netns.VethPairArgs{
		Name:      pulumi.Sprintf("%sveth%d1", prefix, n),
		Netns:     host.Name,
		PeerName:  pulumi.Sprintf("%sveth%d2", prefix, n),
		PeerNetns: ns.Name,
	})
	if err != nil {
		return nil, err
	}
	hostAddress, err := netns.NewIpAddress(ctx, fmt.Sprintf("veth%d1-address", n), &netns.IpAddressArgs{
		Address: pulumi.String(subnet + ".1/24"),
		Device:  pair.Name,
		Netns:   host.Name,
	})
	if err != nil {
		return nil, err
	}
	spokeAddress, err := netns.NewIpAddress(ctx, fmt.Sprintf("veth%d2-address", n), &netns.IpAddressArgs{
		Address: pulumi.String(subnet + ".2/24"),
		Device:  pair.PeerName,
		Netns:   ns.Name,
	})
	if err != nil {
		return nil, err
	}
	// Through the spoke's address: the gateway is on a connected subnet by the time the route comes.
	route, err := netns.NewRoute(ctx, fmt.Sprintf("ns%d-route", n-1), &netns.RouteArgs{
		Destination: pulumi.String(other + ".0/24"),
		Via:         pulumi.String(subnet + ".1"),
		Device:      spokeAddress.Device,
		Netns:       ns.Name,
	})
	if err != nil {
		return nil, err
	}
	return []pulumi.Resource{pair, hostAddress, spokeAddress, route}, nil
}

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		prefix := config.Get(ctx, "prefix")
		namespace := func(name string) (*netns.NetNamespace, error) {
			return netns.NewNetNamespace(ctx, name, &netns.NetNamespaceArgs{Name: pulumi.String(prefix + name)})
		}
		host, err := namespace("host")
		if err != nil {
			return err
		}
		ns0, err := namespace("ns0")
		if err != nil {
			return err
		}
		ns1, err := namespace("ns1")
		if err != nil {
			return err
		}
		lab0, err := spoke(ctx, prefix, 1, host, ns0, "10.1.10", "10.1.20")
		if err != nil {
			return err
		}
		lab1, err := spoke(ctx, prefix, 2, host, ns1, "10.1.20", "10.1.10")
		if err != nil {
			return err
		}
		forwarding, err := netns.NewSysctl(ctx, "ip-forward", &netns.SysctlArgs{
			Key:   pulumi.String("net.ipv4.ip_forward"),
			Value: pulumi.String("1"),
			Netns: host.Name,
		})
		if err != nil {
			return err
		}
		// The pings the lab exists for, checked on every `up` and every refresh (a lost path is drift).
		everything := append(append(lab0, lab1...), forwarding)
		rtt := pulumi.Map{}
		for _, ping := range []struct {
			name    string
			from    *netns.NetNamespace
			address string
		}{{"ns0-reaches-ns1", ns0, "10.1.20.2"}, {"ns1-reaches-ns0", ns1, "10.1.10.2"}} {
			reached, err := netns.NewReachability(ctx, ping.name, &netns.ReachabilityArgs{
				Netns:   ping.from.Name,
				Address: pulumi.String(ping.address),
			}, pulumi.DependsOn(everything))
			if err != nil {
				return err
			}
			rtt[ping.name] = reached.Rtt
		}
		ctx.Export("namespaces", pulumi.StringMap{"host": host.Name, "ns0": ns0.Name, "ns1": ns1.Name})
		ctx.Export("rtt", rtt)
		return nil
	})
}
