"""Recorded describe-* response items, in the exact shapes boto3 returns (and the AWS CLI prints).

Kept as constants, as cartography's tests/data/aws/ec2/*.py do, so transform tests need no AWS at all.
Ids are made up; shapes follow the EC2 / ELBv2 / RDS API references and the real dumps under
../shared/real-data/aws/.
"""

from __future__ import annotations

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"

DESCRIBE_VPCS = [
    {
        "CidrBlock": "10.0.0.0/16", "DhcpOptionsId": "dopt-1", "State": "available", "VpcId": "vpc-0a1",
        "OwnerId": ACCOUNT, "InstanceTenancy": "default", "IsDefault": False,
        "CidrBlockAssociationSet": [
            {"AssociationId": "vpc-cidr-assoc-1", "CidrBlock": "10.0.0.0/16", "CidrBlockState": {"State": "associated"}},
            {"AssociationId": "vpc-cidr-assoc-2", "CidrBlock": "100.64.0.0/20", "CidrBlockState": {"State": "associated"}},
            {"AssociationId": "vpc-cidr-assoc-3", "CidrBlock": "10.99.0.0/16", "CidrBlockState": {"State": "disassociated"}},
        ],
        "Ipv6CidrBlockAssociationSet": [
            {"AssociationId": "vpc-cidr-assoc-4", "Ipv6CidrBlock": "2600:1f18:abc:de00::/56",
             "Ipv6CidrBlockState": {"State": "associated"}, "NetworkBorderGroup": "us-east-1",
             "Ipv6Pool": "Amazon"},
        ],
        "Tags": [{"Key": "Name", "Value": "prod"}, {"Key": "Zone", "Value": "private-db"}],
    },
    {"VpcId": "vpc-0b2", "CidrBlock": "172.31.0.0/16", "IsDefault": True},  # no association set (moto, old dumps)
]

DESCRIBE_SUBNETS = [
    {
        "AvailabilityZone": "us-east-1a", "AvailabilityZoneId": "use1-az1", "AvailableIpAddressCount": 250,
        "CidrBlock": "10.0.1.0/24", "DefaultForAz": False, "MapPublicIpOnLaunch": True, "State": "available",
        "SubnetId": "subnet-0a1", "VpcId": "vpc-0a1", "OwnerId": ACCOUNT, "AssignIpv6AddressOnCreation": False,
        "Ipv6CidrBlockAssociationSet": [
            {"AssociationId": "subnet-cidr-assoc-1", "Ipv6CidrBlock": "2600:1f18:abc:de01::/64",
             "Ipv6CidrBlockState": {"State": "associated"}},
        ],
        "SubnetArn": f"arn:aws:ec2:us-east-1:{ACCOUNT}:subnet/subnet-0a1",
        "Tags": [{"Key": "Name", "Value": "public-a"}],
    },
    {"SubnetId": "subnet-0a2", "VpcId": "vpc-0a1", "CidrBlock": "10.0.2.0/24", "AvailabilityZone": "us-east-1b"},
]

DESCRIBE_ROUTE_TABLES = [
    {
        "RouteTableId": "rtb-main", "VpcId": "vpc-0a1", "OwnerId": ACCOUNT, "PropagatingVgws": [{"GatewayId": "vgw-01"}],
        "Associations": [{"Main": True, "RouteTableAssociationId": "rtbassoc-1", "RouteTableId": "rtb-main",
                          "AssociationState": {"State": "associated"}}],
        "Routes": [
            {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"},
            {"DestinationCidrBlock": "192.168.0.0/16", "GatewayId": "vgw-01", "Origin": "EnableVgwRoutePropagation",
             "State": "active"},
            {"DestinationCidrBlock": "10.20.0.0/16", "TransitGatewayId": "tgw-01", "Origin": "CreateRoute", "State": "active"},
        ],
        "Tags": [],
    },
    {
        "RouteTableId": "rtb-public", "VpcId": "vpc-0a1",
        "Associations": [
            {"Main": False, "RouteTableAssociationId": "rtbassoc-2", "RouteTableId": "rtb-public", "SubnetId": "subnet-0a1",
             "AssociationState": {"State": "associated"}},
            {"Main": False, "RouteTableAssociationId": "rtbassoc-3", "RouteTableId": "rtb-public", "SubnetId": "subnet-gone",
             "AssociationState": {"State": "disassociated"}},
        ],
        "Routes": [
            {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"},
            {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-01", "Origin": "CreateRoute", "State": "active"},
            {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-01", "Origin": "CreateRoute",
             "State": "active"},
            {"DestinationCidrBlock": "172.16.0.0/12", "NatGatewayId": "nat-01", "Origin": "CreateRoute", "State": "blackhole"},
            {"DestinationCidrBlock": "10.30.0.0/16", "VpcPeeringConnectionId": "pcx-01", "Origin": "CreateRoute", "State": "active"},
            {"DestinationCidrBlock": "10.40.0.0/16", "InstanceId": "i-appliance", "InstanceOwnerId": ACCOUNT,
             "NetworkInterfaceId": "eni-appliance", "Origin": "CreateRoute", "State": "active"},
            {"DestinationPrefixListId": "pl-63a5400a", "GatewayId": "vpce-s3", "Origin": "CreateRoute", "State": "active"},
            {"DestinationCidrBlock": "10.50.0.0/16", "CoreNetworkArn": "arn:aws:networkmanager::111122223333:core-network/core-1",
             "Origin": "CreateRoute", "State": "active"},
        ],
    },
    {
        "RouteTableId": "rtb-edge", "VpcId": "vpc-0a1",
        "Associations": [{"Main": False, "RouteTableAssociationId": "rtbassoc-4", "RouteTableId": "rtb-edge",
                          "GatewayId": "igw-01", "AssociationState": {"State": "associated"}}],
        "Routes": [{"DestinationCidrBlock": "10.0.1.0/24", "NetworkInterfaceId": "eni-appliance", "State": "active"}],
    },
]

DESCRIBE_SECURITY_GROUPS = [
    {
        "Description": "web tier", "GroupName": "web", "GroupId": "sg-web", "OwnerId": ACCOUNT, "VpcId": "vpc-0a1",
        "IpPermissions": [
            {"FromPort": 443, "ToPort": 443, "IpProtocol": "tcp",
             "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "public https"}, {"CidrIp": "10.0.0.0/8"}],
             "Ipv6Ranges": [{"CidrIpv6": "::/0"}], "PrefixListIds": [], "UserIdGroupPairs": []},
            {"FromPort": 8, "ToPort": -1, "IpProtocol": "icmp", "IpRanges": [{"CidrIp": "10.0.0.0/16"}],
             "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []},
            {"FromPort": -1, "ToPort": -1, "IpProtocol": "58", "IpRanges": [], "Ipv6Ranges": [{"CidrIpv6": "2600:1f18::/32"}],
             "PrefixListIds": [], "UserIdGroupPairs": []},
            {"IpProtocol": "-1", "IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": [],
             "UserIdGroupPairs": [{"GroupId": "sg-web", "UserId": ACCOUNT}]},
            {"FromPort": 5432, "ToPort": 5432, "IpProtocol": "tcp", "IpRanges": [], "Ipv6Ranges": [],
             "PrefixListIds": [{"PrefixListId": "pl-0123456789abcdef0", "Description": "office"}],
             "UserIdGroupPairs": [
                 {"GroupId": "sg-partner", "UserId": OTHER_ACCOUNT, "VpcId": "vpc-peer", "VpcPeeringConnectionId": "pcx-01",
                  "PeeringStatus": "active", "Description": "partner app"},
                 {"GroupId": f"{OTHER_ACCOUNT}/sg-legacy", "UserId": OTHER_ACCOUNT},
             ]},
            {"FromPort": 50, "ToPort": 50, "IpProtocol": "50", "IpRanges": [{"CidrIp": "203.0.113.7/32"}]},
        ],
        "IpPermissionsEgress": [
            {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
             "PrefixListIds": [], "UserIdGroupPairs": []},
        ],
        "Tags": [{"Key": "Tier", "Value": "web"}],
    },
    {"GroupName": "default", "GroupId": "sg-default", "VpcId": "vpc-0a1", "Description": "default VPC security group"},
]

DESCRIBE_SECURITY_GROUP_RULES = [
    {"SecurityGroupRuleId": "sgr-1", "GroupId": "sg-db", "GroupOwnerId": ACCOUNT, "IsEgress": False, "IpProtocol": "tcp",
     "FromPort": 5432, "ToPort": 5432, "ReferencedGroupInfo": {"GroupId": "sg-web", "UserId": ACCOUNT},
     "Description": "from web", "Tags": []},
    {"SecurityGroupRuleId": "sgr-2", "GroupId": "sg-db", "GroupOwnerId": ACCOUNT, "IsEgress": True, "IpProtocol": "-1",
     "FromPort": -1, "ToPort": -1, "CidrIpv4": "0.0.0.0/0"},
    {"SecurityGroupRuleId": "sgr-3", "GroupId": "sg-db", "IsEgress": False, "IpProtocol": "udp", "FromPort": 53,
     "ToPort": 53, "CidrIpv6": "2600:1f18::/32"},
    {"SecurityGroupRuleId": "sgr-4", "GroupId": "sg-db", "IsEgress": False, "IpProtocol": "tcp", "FromPort": 22,
     "ToPort": 22, "PrefixListId": "pl-0123456789abcdef0"},
]

DESCRIBE_NETWORK_ACLS = [
    {
        "NetworkAclId": "acl-01", "VpcId": "vpc-0a1", "IsDefault": False, "OwnerId": ACCOUNT,
        "Associations": [{"NetworkAclAssociationId": "aclassoc-1", "NetworkAclId": "acl-01", "SubnetId": "subnet-0a2"}],
        "Entries": [
            {"CidrBlock": "10.0.0.0/16", "Egress": False, "Protocol": "6", "PortRange": {"From": 5432, "To": 5432},
             "RuleAction": "allow", "RuleNumber": 100},
            {"CidrBlock": "0.0.0.0/0", "Egress": False, "Protocol": "1", "IcmpTypeCode": {"Code": -1, "Type": 8},
             "RuleAction": "allow", "RuleNumber": 110},
            {"Ipv6CidrBlock": "2600:1f18::/32", "Egress": False, "Protocol": "58", "IcmpTypeCode": {"Code": 0, "Type": 128},
             "RuleAction": "allow", "RuleNumber": 120},
            {"CidrBlock": "0.0.0.0/0", "Egress": False, "Protocol": "-1", "RuleAction": "deny", "RuleNumber": 200},
            {"CidrBlock": "0.0.0.0/0", "Egress": False, "Protocol": "-1", "RuleAction": "deny", "RuleNumber": 32767},
            {"Ipv6CidrBlock": "::/0", "Egress": False, "Protocol": "-1", "RuleAction": "deny", "RuleNumber": 32768},
            {"CidrBlock": "0.0.0.0/0", "Egress": True, "Protocol": "17", "PortRange": {"From": 1024, "To": 65535},
             "RuleAction": "allow", "RuleNumber": 100},
            {"CidrBlock": "0.0.0.0/0", "Egress": True, "Protocol": "-1", "RuleAction": "deny", "RuleNumber": 32767},
        ],
        "Tags": [{"Key": "Name", "Value": "db"}],
    },
]

DESCRIBE_NETWORK_INTERFACES = [
    {
        "Association": {"IpOwnerId": "amazon", "PublicDnsName": "", "PublicIp": "3.3.3.3"},
        "Attachment": {"AttachmentId": "eni-attach-1", "DeviceIndex": 0, "InstanceId": "i-web", "InstanceOwnerId": ACCOUNT,
                       "Status": "attached"},
        "AvailabilityZone": "us-east-1a", "Description": "Primary network interface",
        "Groups": [{"GroupId": "sg-web", "GroupName": "web"}], "InterfaceType": "interface",
        "Ipv6Addresses": [{"Ipv6Address": "2600:1f18:abc:de01::10"}], "NetworkInterfaceId": "eni-web", "OwnerId": ACCOUNT,
        "PrivateIpAddress": "10.0.1.10",
        "PrivateIpAddresses": [
            {"Association": {"PublicIp": "3.3.3.3"}, "Primary": True, "PrivateIpAddress": "10.0.1.10"},
            {"Primary": False, "PrivateIpAddress": "10.0.1.11"},
        ],
        "RequesterManaged": False, "SourceDestCheck": True, "Status": "in-use", "SubnetId": "subnet-0a1",
        "TagSet": [{"Key": "Role", "Value": "frontend"}], "VpcId": "vpc-0a1",
    },
    {
        "Attachment": {"AttachmentId": "ela-attach-1", "DeviceIndex": 1, "InstanceOwnerId": "amazon-aws", "Status": "attached"},
        "Description": "Interface for NAT Gateway nat-01", "Groups": [], "InterfaceType": "nat_gateway",
        "NetworkInterfaceId": "eni-nat", "PrivateIpAddress": "10.0.1.20",
        "PrivateIpAddresses": [{"Association": {"PublicIp": "4.4.4.4"}, "Primary": True, "PrivateIpAddress": "10.0.1.20"}],
        "RequesterId": "036872051663", "RequesterManaged": True, "SourceDestCheck": False, "Status": "in-use",
        "SubnetId": "subnet-0a1", "VpcId": "vpc-0a1",
    },
    {
        "Description": "ELB app/web-alb/50dc6c495c0c9188", "Groups": [{"GroupId": "sg-web"}], "InterfaceType": "interface",
        "NetworkInterfaceId": "eni-alb", "PrivateIpAddress": "10.0.1.30",
        "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": "10.0.1.30"}], "RequesterId": "amazon-elb",
        "RequesterManaged": True, "Status": "in-use", "SubnetId": "subnet-0a1", "VpcId": "vpc-0a1",
    },
    {
        "Description": "AWS Lambda VPC ENI-resize-images-1c2d3e4f-aaaa-bbbb-cccc-0123456789ab", "Groups": [{"GroupId": "sg-web"}],
        "InterfaceType": "lambda", "NetworkInterfaceId": "eni-lambda", "PrivateIpAddress": "10.0.2.40",
        "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": "10.0.2.40"}], "RequesterId": "AROAEXAMPLE:resize-images",
        "RequesterManaged": True, "Status": "in-use", "SubnetId": "subnet-0a2", "VpcId": "vpc-0a1",
    },
    {
        "Description": "RDSNetworkInterface", "Groups": [{"GroupId": "sg-db"}], "InterfaceType": "interface",
        "NetworkInterfaceId": "eni-rds", "PrivateIpAddress": "10.0.2.50", "RequesterId": "amazon-rds",
        "RequesterManaged": True, "Status": "in-use", "SubnetId": "subnet-0a2", "VpcId": "vpc-0a1",
    },
    {
        "Description": "VPC Endpoint Interface vpce-0ssm", "Groups": [{"GroupId": "sg-web"}], "InterfaceType": "vpc_endpoint",
        "NetworkInterfaceId": "eni-vpce", "PrivateIpAddress": "10.0.2.60", "RequesterId": "727180483921",
        "RequesterManaged": True, "Status": "in-use", "SubnetId": "subnet-0a2", "VpcId": "vpc-0a1",
    },
    {
        "Description": "Network Interface for Transit Gateway Attachment tgw-attach-0a1", "Groups": [],
        "InterfaceType": "transit_gateway", "NetworkInterfaceId": "eni-tgw", "PrivateIpAddress": "10.0.2.70",
        "RequesterId": "522605744525", "SourceDestCheck": False, "Status": "in-use", "SubnetId": "subnet-0a2",
        "VpcId": "vpc-0a1",
    },
    {
        "Attachment": {"AttachmentId": "eni-attach-2", "DeviceIndex": 0, "InstanceId": "i-stopped", "InstanceOwnerId": ACCOUNT,
                       "Status": "attached"},
        "Description": "", "Groups": [{"GroupId": "sg-default"}], "InterfaceType": "interface",
        "NetworkInterfaceId": "eni-stopped", "PrivateIpAddress": "10.0.2.80", "Status": "in-use", "SubnetId": "subnet-0a2",
        "VpcId": "vpc-0a1",
    },
    {
        "Description": "spare", "Groups": [{"GroupId": "sg-default"}], "InterfaceType": "interface",
        "NetworkInterfaceId": "eni-spare", "PrivateIpAddress": "10.0.2.90", "Status": "available", "SubnetId": "subnet-0a2",
        "VpcId": "vpc-0a1", "Ipv4Prefixes": [{"Ipv4Prefix": "10.0.2.96/28"}],
    },
]

DESCRIBE_INSTANCES = [  # Reservations
    {
        "ReservationId": "r-1", "OwnerId": ACCOUNT, "Groups": [],
        "Instances": [
            {
                "InstanceId": "i-web", "State": {"Code": 16, "Name": "running"}, "SubnetId": "subnet-0a1", "VpcId": "vpc-0a1",
                "PrivateIpAddress": "10.0.1.10", "PublicIpAddress": "3.3.3.3",
                "Placement": {"AvailabilityZone": "us-east-1a", "GroupName": "", "Tenancy": "default"},
                "SecurityGroups": [{"GroupId": "sg-web", "GroupName": "web"}],
                "Tags": [{"Key": "Zone", "Value": "public-web"}, {"Key": "Name", "Value": "web-1"}],
                "NetworkInterfaces": [{
                    "Association": {"IpOwnerId": "amazon", "PublicIp": "3.3.3.3"},
                    "Attachment": {"AttachmentId": "eni-attach-1", "DeviceIndex": 0, "Status": "attached"},
                    "Groups": [{"GroupId": "sg-web", "GroupName": "web"}], "NetworkInterfaceId": "eni-web",
                    "PrivateIpAddress": "10.0.1.10", "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": "10.0.1.10"}],
                    "SourceDestCheck": True, "Status": "in-use", "SubnetId": "subnet-0a1", "VpcId": "vpc-0a1",
                }],
            },
            {
                "InstanceId": "i-stopped", "State": {"Code": 80, "Name": "stopped"}, "SubnetId": "subnet-0a2",
                "PrivateIpAddress": "10.0.2.80", "Tags": [{"Key": "Zone", "Value": "batch"}],
                "NetworkInterfaces": [{
                    "Attachment": {"DeviceIndex": 0, "Status": "attached"}, "Groups": [{"GroupId": "sg-default"}],
                    "NetworkInterfaceId": "eni-stopped", "PrivateIpAddress": "10.0.2.80", "SubnetId": "subnet-0a2",
                }],
            },
            {"InstanceId": "i-gone", "State": {"Code": 48, "Name": "terminated"}, "NetworkInterfaces": []},
        ],
    },
]

DESCRIBE_ADDRESSES = [
    {"AllocationId": "eipalloc-1", "AssociationId": "eipassoc-1", "Domain": "vpc", "InstanceId": "i-web",
     "NetworkInterfaceId": "eni-web", "NetworkInterfaceOwnerId": ACCOUNT, "PrivateIpAddress": "10.0.1.11",
     "PublicIp": "5.5.5.5"},
    {"AllocationId": "eipalloc-2", "Domain": "vpc", "PublicIp": "6.6.6.6"},  # allocated, not associated
]

DESCRIBE_DB_INSTANCES = [
    {
        "DBInstanceIdentifier": "orders", "DbiResourceId": "db-ORDERS", "DBInstanceStatus": "available", "Engine": "postgres",
        "DBInstanceArn": f"arn:aws:rds:us-east-1:{ACCOUNT}:db:orders", "PubliclyAccessible": False,
        "Endpoint": {"Address": "orders.abc.us-east-1.rds.amazonaws.com", "Port": 5432, "HostedZoneId": "Z2R2ITUGPM61AM"},
        "DBSubnetGroup": {"DBSubnetGroupName": "db", "VpcId": "vpc-0a1", "SubnetGroupStatus": "Complete", "Subnets": [
            {"SubnetIdentifier": "subnet-0a2", "SubnetAvailabilityZone": {"Name": "us-east-1b"}, "SubnetStatus": "Active"},
            {"SubnetIdentifier": "subnet-0a3", "SubnetAvailabilityZone": {"Name": "us-east-1c"}, "SubnetStatus": "Active"},
        ]},
        "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-db", "Status": "active"}],
        "TagList": [{"Key": "Zone", "Value": "private-db"}],
    },
    {
        "DBInstanceIdentifier": "reports", "DBInstanceStatus": "stopped", "Engine": "mysql", "PubliclyAccessible": True,
        "DBSubnetGroup": {"DBSubnetGroupName": "pub", "Subnets": [{"SubnetIdentifier": "subnet-0a1", "SubnetStatus": "Active"}]},
        "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-web", "Status": "active"}],
    },
]

DESCRIBE_TRANSIT_GATEWAYS = [
    {
        "TransitGatewayId": "tgw-01", "TransitGatewayArn": f"arn:aws:ec2:us-east-1:{ACCOUNT}:transit-gateway/tgw-01",
        "State": "available", "OwnerId": ACCOUNT,
        "Options": {"AmazonSideAsn": 64512, "AutoAcceptSharedAttachments": "disable", "DefaultRouteTableAssociation": "disable",
                    "AssociationDefaultRouteTableId": "tgw-rtb-a", "DefaultRouteTablePropagation": "enable",
                    "PropagationDefaultRouteTableId": "tgw-rtb-b", "VpnEcmpSupport": "enable", "DnsSupport": "enable"},
        "Tags": [{"Key": "Name", "Value": "core"}],
    },
]

DESCRIBE_TRANSIT_GATEWAY_ATTACHMENTS = [
    {"TransitGatewayAttachmentId": "tgw-attach-0a1", "TransitGatewayId": "tgw-01", "TransitGatewayOwnerId": ACCOUNT,
     "ResourceOwnerId": ACCOUNT, "ResourceType": "vpc", "ResourceId": "vpc-0a1", "State": "available",
     "Association": {"TransitGatewayRouteTableId": "tgw-rtb-a", "State": "associated"}, "Tags": []},
    {"TransitGatewayAttachmentId": "tgw-attach-vpn", "TransitGatewayId": "tgw-01", "ResourceType": "vpn",
     "ResourceId": "vpn-01", "State": "available",
     "Association": {"TransitGatewayRouteTableId": "tgw-rtb-a", "State": "associated"}},
    {"TransitGatewayAttachmentId": "tgw-attach-peer", "TransitGatewayId": "tgw-01", "ResourceType": "peering",
     "ResourceId": "tgw-far", "ResourceOwnerId": OTHER_ACCOUNT, "State": "available",
     "Association": {"TransitGatewayRouteTableId": "tgw-rtb-b", "State": "associated"}},
    {"TransitGatewayAttachmentId": "tgw-attach-old", "TransitGatewayId": "tgw-01", "ResourceType": "vpc",
     "ResourceId": "vpc-old", "State": "deleted"},
]

DESCRIBE_TRANSIT_GATEWAY_VPC_ATTACHMENTS = [
    {"TransitGatewayAttachmentId": "tgw-attach-0a1", "TransitGatewayId": "tgw-01", "VpcId": "vpc-0a1", "VpcOwnerId": ACCOUNT,
     "State": "available", "SubnetIds": ["subnet-0a2", "subnet-0a1"],
     "Options": {"DnsSupport": "enable", "Ipv6Support": "disable", "ApplianceModeSupport": "enable"}},
]

DESCRIBE_TRANSIT_GATEWAY_PEERING_ATTACHMENTS = [
    {"TransitGatewayAttachmentId": "tgw-attach-peer", "State": "available",
     "RequesterTgwInfo": {"TransitGatewayId": "tgw-01", "OwnerId": ACCOUNT, "Region": "us-east-1"},
     "AccepterTgwInfo": {"TransitGatewayId": "tgw-far", "OwnerId": OTHER_ACCOUNT, "Region": "eu-west-1"}},
]

DESCRIBE_TRANSIT_GATEWAY_ROUTE_TABLES = [
    {"TransitGatewayRouteTableId": "tgw-rtb-a", "TransitGatewayId": "tgw-01", "State": "available",
     "DefaultAssociationRouteTable": True, "DefaultPropagationRouteTable": False, "Tags": []},
    {"TransitGatewayRouteTableId": "tgw-rtb-b", "TransitGatewayId": "tgw-01", "State": "available",
     "DefaultAssociationRouteTable": False, "DefaultPropagationRouteTable": True},
    {"TransitGatewayRouteTableId": "tgw-rtb-c", "TransitGatewayId": "tgw-01", "State": "available"},
]

TRANSIT_GATEWAY_PROPAGATIONS = [  # GetTransitGatewayRouteTablePropagations, wrapped per table
    {"TransitGatewayRouteTableId": "tgw-rtb-a", "TransitGatewayRouteTablePropagations": [
        {"TransitGatewayAttachmentId": "tgw-attach-0a1", "ResourceId": "vpc-0a1", "ResourceType": "vpc", "State": "enabled"}]},
    {"TransitGatewayRouteTableId": "tgw-rtb-b", "TransitGatewayRouteTablePropagations": [
        {"TransitGatewayAttachmentId": "tgw-attach-0a1", "ResourceId": "vpc-0a1", "ResourceType": "vpc", "State": "enabled"},
        {"TransitGatewayAttachmentId": "tgw-attach-vpn", "ResourceId": "vpn-01", "ResourceType": "vpn", "State": "enabled"},
        {"TransitGatewayAttachmentId": "tgw-attach-x", "ResourceId": "vpc-x", "ResourceType": "vpc", "State": "disabled"}]},
]

TRANSIT_GATEWAY_STATIC_ROUTES = [  # SearchTransitGatewayRoutes, wrapped per table
    {"TransitGatewayRouteTableId": "tgw-rtb-a", "AdditionalRoutesAvailable": False, "Routes": [
        {"DestinationCidrBlock": "0.0.0.0/0", "Type": "static", "State": "active",
         "TransitGatewayAttachments": [{"ResourceId": "tgw-far", "ResourceType": "peering",
                                        "TransitGatewayAttachmentId": "tgw-attach-peer"}]},
        {"DestinationCidrBlock": "10.66.0.0/16", "Type": "static", "State": "blackhole"},
        {"PrefixListId": "pl-0123456789abcdef0", "Type": "static", "State": "active",
         "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-0a1"}]},
        {"DestinationCidrBlock": "10.77.0.0/16", "Type": "static", "State": "deleted"},
    ]},
    {"TransitGatewayRouteTableId": "tgw-rtb-b", "AdditionalRoutesAvailable": False, "Routes": []},
]

DESCRIBE_VPN_CONNECTIONS = [
    {"VpnConnectionId": "vpn-01", "CustomerGatewayId": "cgw-01", "TransitGatewayId": "tgw-01", "State": "available",
     "Type": "ipsec.1", "Category": "VPN", "Options": {"StaticRoutesOnly": False}, "Routes": [],
     "CustomerGatewayConfiguration": "<vpn_connection><pre_shared_key>NEVER-SHOW-ME</pre_shared_key></vpn_connection>"},
    {"VpnConnectionId": "vpn-02", "CustomerGatewayId": "cgw-01", "VpnGatewayId": "vgw-01", "State": "available",
     "Options": {"StaticRoutesOnly": True},
     "Routes": [{"DestinationCidrBlock": "192.168.0.0/16", "Source": "Static", "State": "available"},
                {"DestinationCidrBlock": "192.169.0.0/16", "Source": "Static", "State": "deleted"}]},
    {"VpnConnectionId": "vpn-03", "State": "deleted", "Options": {"StaticRoutesOnly": True}, "Routes": []},
]

DESCRIBE_VPN_GATEWAYS = [
    {"VpnGatewayId": "vgw-01", "State": "available", "Type": "ipsec.1", "AmazonSideAsn": 64512,
     "VpcAttachments": [{"State": "attached", "VpcId": "vpc-0a1"}, {"State": "detached", "VpcId": "vpc-old"}]},
]

DESCRIBE_CUSTOMER_GATEWAYS = [
    {"CustomerGatewayId": "cgw-01", "BgpAsn": "65000", "IpAddress": "198.51.100.1", "State": "available", "Type": "ipsec.1"},
]

DESCRIBE_DIRECT_CONNECT_GATEWAYS = [  # directconnect: camelCase
    {"directConnectGatewayId": "5f294f92-bafb-4011-916d-9b0bexample", "directConnectGatewayName": "dx-core",
     "amazonSideAsn": 64512, "ownerAccount": ACCOUNT, "directConnectGatewayState": "available"},
]

DESCRIBE_DIRECT_CONNECT_GATEWAY_ASSOCIATIONS = [
    {"directConnectGatewayId": "5f294f92-bafb-4011-916d-9b0bexample", "associationState": "associated",
     "associatedGateway": {"id": "tgw-01", "type": "transitGateway", "ownerAccount": ACCOUNT, "region": "us-east-1"},
     "allowedPrefixesToDirectConnectGateway": [{"cidr": "10.0.0.0/16"}]},
]

DESCRIBE_VPC_ENDPOINTS = [
    {"VpcEndpointId": "vpce-s3", "VpcEndpointType": "Gateway", "VpcId": "vpc-0a1", "ServiceName": "com.amazonaws.us-east-1.s3",
     "State": "available", "RouteTableIds": ["rtb-public"], "SubnetIds": [], "Groups": [], "NetworkInterfaceIds": [],
     "PrivateDnsEnabled": False},
    {"VpcEndpointId": "vpce-0ssm", "VpcEndpointType": "Interface", "VpcId": "vpc-0a1",
     "ServiceName": "com.amazonaws.us-east-1.ssm", "State": "available", "SubnetIds": ["subnet-0a2"],
     "Groups": [{"GroupId": "sg-web", "GroupName": "web"}], "NetworkInterfaceIds": ["eni-vpce"], "PrivateDnsEnabled": True},
    {"VpcEndpointId": "vpce-gwlb", "VpcEndpointType": "GatewayLoadBalancer", "VpcId": "vpc-0a1",
     "ServiceName": "com.amazonaws.vpce.us-east-1.vpce-svc-0123", "State": "available", "SubnetIds": ["subnet-0a1"],
     "NetworkInterfaceIds": ["eni-gwlbe"]},
]

DESCRIBE_LOAD_BALANCERS = [
    {"LoadBalancerArn": f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/web-alb/50dc6c495c0c9188",
     "LoadBalancerName": "web-alb", "Type": "application", "Scheme": "internet-facing", "VpcId": "vpc-0a1",
     "State": {"Code": "active"}, "IpAddressType": "ipv4", "SecurityGroups": ["sg-web"],
     "AvailabilityZones": [{"ZoneName": "us-east-1a", "SubnetId": "subnet-0a1", "LoadBalancerAddresses": []},
                           {"ZoneName": "us-east-1b", "SubnetId": "subnet-0a2", "LoadBalancerAddresses": []}]},
]

ALB_ARN = DESCRIBE_LOAD_BALANCERS[0]["LoadBalancerArn"]
TG_WEB = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/web/73e2d6bc24d8a067"
TG_API = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/api/0123456789abcdef"
TG_BLUE = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/blue/1111111111111111"

DESCRIBE_LISTENERS = [  # flat DescribeListeners items
    {"ListenerArn": f"{ALB_ARN.replace('loadbalancer', 'listener')}/f2f7dc8efc522ab2", "LoadBalancerArn": ALB_ARN,
     "Port": 443, "Protocol": "HTTPS",
     "DefaultActions": [{"Type": "forward", "TargetGroupArn": TG_WEB,
                         "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": TG_WEB, "Weight": 90},
                                                            {"TargetGroupArn": TG_BLUE, "Weight": 10}]}}]},
    {"ListenerArn": f"{ALB_ARN.replace('loadbalancer', 'listener')}/0000000000000001", "LoadBalancerArn": ALB_ARN,
     "Port": 80, "Protocol": "HTTP",
     "DefaultActions": [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]},
]

DESCRIBE_TARGET_GROUPS = [
    {"TargetGroupArn": TG_WEB, "TargetGroupName": "web", "Protocol": "HTTP", "Port": 8080, "VpcId": "vpc-0a1",
     "TargetType": "instance", "LoadBalancerArns": [ALB_ARN]},
    {"TargetGroupArn": TG_API, "TargetGroupName": "api", "Protocol": "HTTP", "Port": 9000, "VpcId": "vpc-0a1",
     "TargetType": "ip", "LoadBalancerArns": [ALB_ARN]},
    {"TargetGroupArn": TG_BLUE, "TargetGroupName": "blue", "Protocol": "HTTP", "Port": 8080, "VpcId": "vpc-0a1",
     "TargetType": "instance", "LoadBalancerArns": [ALB_ARN]},
]

TARGET_HEALTH = [  # DescribeTargetHealth, wrapped per target group
    {"TargetGroupArn": TG_WEB, "TargetHealthDescriptions": [
        {"Target": {"Id": "i-web", "Port": 8080}, "HealthCheckPort": "8080", "TargetHealth": {"State": "healthy"}}]},
    {"TargetGroupArn": TG_API, "TargetHealthDescriptions": [
        {"Target": {"Id": "10.0.2.5", "Port": 9000, "AvailabilityZone": "us-east-1b"}, "TargetHealth": {"State": "unhealthy"}}]},
]

DESCRIBE_CLASSIC_LOAD_BALANCERS = [  # elb DescribeLoadBalancers
    {"LoadBalancerName": "legacy", "Scheme": "internet-facing", "VPCId": "vpc-0a1", "Subnets": ["subnet-0a1"],
     "SecurityGroups": ["sg-web"], "Instances": [{"InstanceId": "i-web"}],
     "ListenerDescriptions": [{"Listener": {"Protocol": "HTTP", "LoadBalancerPort": 80, "InstanceProtocol": "HTTP",
                                            "InstancePort": 8080}, "PolicyNames": []}]},
]

DESCRIBE_INTERNET_GATEWAYS = [
    {"InternetGatewayId": "igw-01", "OwnerId": ACCOUNT, "Attachments": [{"State": "available", "VpcId": "vpc-0a1"}],
     "Tags": [{"Key": "Name", "Value": "main"}]},
    {"InternetGatewayId": "igw-detached", "Attachments": []},
]

DESCRIBE_EGRESS_ONLY_INTERNET_GATEWAYS = [
    {"EgressOnlyInternetGatewayId": "eigw-01", "Attachments": [{"State": "attached", "VpcId": "vpc-0a1"}], "Tags": []},
]

DESCRIBE_NAT_GATEWAYS = [
    {"NatGatewayId": "nat-01", "SubnetId": "subnet-0a1", "VpcId": "vpc-0a1", "State": "available", "ConnectivityType": "public",
     "NatGatewayAddresses": [{"AllocationId": "eipalloc-9", "NetworkInterfaceId": "eni-nat", "PrivateIp": "10.0.1.20",
                              "PublicIp": "4.4.4.4", "IsPrimary": True, "Status": "succeeded"}]},
    {"NatGatewayId": "nat-02", "SubnetId": "subnet-0a2", "State": "available", "ConnectivityType": "private",
     "NatGatewayAddresses": [{"NetworkInterfaceId": "eni-nat2", "PrivateIp": "10.0.2.21"}]},
    {"NatGatewayId": "nat-old", "SubnetId": "subnet-0a1", "State": "deleted", "NatGatewayAddresses": []},
]

DESCRIBE_VPC_PEERING_CONNECTIONS = [
    {"VpcPeeringConnectionId": "pcx-01", "Status": {"Code": "active", "Message": "Active"},
     "RequesterVpcInfo": {"CidrBlock": "10.0.0.0/16", "OwnerId": ACCOUNT, "Region": "us-east-1", "VpcId": "vpc-0a1"},
     "AccepterVpcInfo": {"CidrBlock": "10.30.0.0/16", "OwnerId": OTHER_ACCOUNT, "Region": "eu-west-1", "VpcId": "vpc-peer"},
     "Tags": [{"Key": "Name", "Value": "to-partner"}]},
    {"VpcPeeringConnectionId": "pcx-02", "Status": {"Code": "pending-acceptance"},
     "RequesterVpcInfo": {"OwnerId": ACCOUNT, "VpcId": "vpc-0a1"}, "AccepterVpcInfo": {"OwnerId": ACCOUNT, "VpcId": "vpc-0b2"}},
    {"VpcPeeringConnectionId": "pcx-03", "Status": {"Code": "deleted"},
     "RequesterVpcInfo": {"VpcId": "vpc-0a1"}, "AccepterVpcInfo": {"VpcId": "vpc-0b2"}},
]

DESCRIBE_PREFIX_LISTS = [  # DescribePrefixLists: AWS-managed service lists, with their CIDRs
    {"PrefixListId": "pl-63a5400a", "PrefixListName": "com.amazonaws.us-east-1.s3",
     "Cidrs": ["54.231.0.0/17", "52.216.0.0/15"]},
]

DESCRIBE_MANAGED_PREFIX_LISTS = [
    {"PrefixListId": "pl-0123456789abcdef0", "PrefixListName": "office", "AddressFamily": "IPv4", "State": "create-complete",
     "MaxEntries": 10, "Version": 3, "OwnerId": ACCOUNT},
    {"PrefixListId": "pl-0fedcba9876543210", "PrefixListName": "partners", "AddressFamily": "IPv4", "OwnerId": ACCOUNT},
    {"PrefixListId": "pl-63a5400a", "PrefixListName": "com.amazonaws.us-east-1.s3", "AddressFamily": "IPv4", "OwnerId": "AWS"},
]

PREFIX_LIST_ENTRIES = [  # GetManagedPrefixListEntries, wrapped per list
    {"PrefixListId": "pl-0123456789abcdef0", "Entries": [{"Cidr": "198.51.100.0/24", "Description": "HQ"},
                                                         {"Cidr": "203.0.113.0/24"}]},
]
