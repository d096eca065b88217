import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { PlanResult } from "../infra/plan/run";
import { find, plan, secretExposure, SENTINELS } from "./program-helpers";

type Obj = Record<string, unknown>;
const inputs = (r: PlanResult, type: string, name: string) => find(r, type, name).inputs as Obj;
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const ASG = "aws:autoscaling/group:Group";
const userDataOf = (r: PlanResult) =>
  Buffer.from(inputs(r, LT, "vllm-host")["userData"] as string, "base64").toString("utf8");
const API_KEY_ID = "vllm-tco/aws-h100/vllm-api-key";
const HF_ID = "vllm-tco/aws-h100/vllm-hf-token";

describe("aws platform: the aws-h100 example stack", async () => {
  const r = await plan("aws-h100");

  it("registers the fleet, network, load balancer, secrets, IAM and scaling, each under its component", () => {
    expect(r.error).toBeUndefined();
    const count = (type: string) => r.resources.filter((x) => x.type === type).length;
    expect(count("aws:ec2/subnet:Subnet")).toBe(4);
    expect(count("aws:ec2/natGateway:NatGateway")).toBe(1);
    expect(count("aws:autoscaling/policy:Policy")).toBe(4);
    expect(count("aws:cloudwatch/metricAlarm:MetricAlarm")).toBe(2);
    expect(count("aws:secretsmanager/secret:Secret")).toBe(2);
    expect(find(r, "aws:ec2/vpc:Vpc", "vllm-net-vpc").parent).toBe("vllm-tco:aws:Network::vllm-net");
    expect(find(r, "aws:lb/targetGroup:TargetGroup", "vllm-lb-vllm").parent).toBe(
      "vllm-tco:aws:LoadBalancer::vllm-lb",
    );
    expect(find(r, ASG, "vllm-fleet").parent).toBe("vllm-tco:aws:VllmFleet::vllm");
  });

  it("launch template: instance type, AMI from the public SSM parameter, IMDSv2, encrypted root, no public IP", () => {
    const lt = inputs(r, LT, "vllm-host");
    expect(lt).toMatchObject({
      instanceType: "p5.4xlarge",
      imageId: "ami-0abc1234def567890",
      metadataOptions: {
        httpEndpoint: "enabled",
        httpTokens: "required",
        httpPutResponseHopLimit: 2,
        instanceMetadataTags: "enabled",
      },
      networkInterfaces: [
        {
          associatePublicIpAddress: "false",
          deleteOnTermination: "true",
          securityGroups: ["vllm-lb-hosts-id"],
        },
      ],
      blockDeviceMappings: [
        {
          deviceName: "/dev/sda1",
          // (OS 75 + image 30 GB) × 1.1 = 116 GB: the weights live on the local NVMe.
          ebs: {
            volumeSize: 116,
            volumeType: "gp3",
            throughput: 125,
            iops: 3000,
            encrypted: "true",
            deleteOnTermination: "true",
          },
        },
      ],
    });
  });

  it("user data runs the pinned image with resolved flags and reads secrets at boot (golden file)", () => {
    const ud = userDataOf(r);
    const golden = path.join(__dirname, "golden/aws-h100.user-data.sh");
    if (process.env["UPDATE_GOLDEN"]) fs.writeFileSync(golden, ud);
    expect(ud).toBe(fs.readFileSync(golden, "utf8"));
    expect(ud).toContain(
      "--entrypoint python3 vllm/vllm-openai:v0.11.0 '-m' 'vllm.entrypoints.openai.api_server' '--model' 'meta-llama/Llama-3.1-8B-Instruct' '--served-model-name' 'llama-3.1-8b'",
    );
    // No mock artifact leaks into what plan shows.
    expect(ud).not.toContain("undefined");
    expect(ud).toContain("'--tensor-parallel-size' '1'");
    expect(ud).toContain("'--enable-prefix-caching'");
    expect(ud).toContain(
      `aws secretsmanager get-secret-value --region us-east-1 --secret-id '${API_KEY_ID}'`,
    );
    expect(ud).toContain(`--secret-id '${HF_ID}'`);
    expect(ud).toContain("RAID 0 over every instance-store disk");
    // An array the AMI already assembled is reused, not re-created under set -e.
    expect(ud).toContain("[ -b /dev/md0 ] || mdadm --create /dev/md0");
    for (const s of Object.values(SENTINELS)) expect(ud).not.toContain(s);
    // The script parses as bash.
    expect(spawnSync("bash", ["-n"], { input: ud, encoding: "utf8" }).stderr).toBe("");
  });

  it("target group: vLLM's /health with thresholds that tolerate load; sticky sessions; long idle timeout", () => {
    expect(inputs(r, "aws:lb/targetGroup:TargetGroup", "vllm-lb-vllm")).toMatchObject({
      port: 8000,
      protocol: "HTTP",
      healthCheck: {
        path: "/health",
        matcher: "200",
        interval: 15,
        timeout: 10,
        healthyThreshold: 2,
        unhealthyThreshold: 4,
        port: "traffic-port",
      },
      stickiness: { enabled: true, type: "lb_cookie", cookieDuration: 3600 },
    });
    expect(inputs(r, "aws:lb/loadBalancer:LoadBalancer", "vllm-lb-alb")).toMatchObject({
      internal: true,
      idleTimeout: 900,
      loadBalancerType: "application",
    });
  });

  it("security groups: clients only from the configured CIDRs; hosts only from the load balancer", () => {
    expect(inputs(r, "aws:ec2/securityGroup:SecurityGroup", "vllm-lb-lb")["ingress"]).toEqual([
      { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["10.0.0.0/8"], description: "clients" },
    ]);
    expect(inputs(r, "aws:ec2/securityGroup:SecurityGroup", "vllm-lb-hosts")["ingress"]).toEqual([
      {
        protocol: "tcp",
        fromPort: 8000,
        toPort: 8000,
        securityGroups: ["vllm-lb-lb-id"],
        description: "vLLM from the load balancer",
      },
    ]);
  });

  it("Auto Scaling group: ELB health checks with a grace period that covers the whole cold start, instance refresh", () => {
    // Cold start by hand: boot 180 s + image 120 s + 16.06 GB of weights at 200 MB/s (81 s) + engine
    // 120 s = 501 s; timers allow 1.5 × that = 752 s (cost/cold-start.ts).
    expect(inputs(r, ASG, "vllm-fleet")).toMatchObject({
      minSize: 0,
      maxSize: 4,
      desiredCapacity: 0,
      healthCheckType: "ELB",
      healthCheckGracePeriod: 752,
      defaultInstanceWarmup: 752,
      capacityRebalance: false,
      launchTemplate: { id: "vllm-host-id" },
      instanceRefresh: {
        strategy: "Rolling",
        preferences: { minHealthyPercentage: 50, instanceWarmup: "752" },
      },
      vpcZoneIdentifiers: ["vllm-net-private-0-id", "vllm-net-private-1-id"],
    });
    expect(inputs(r, ASG, "vllm-fleet")["warmPool"]).toBeUndefined();
  });

  it("scales on vLLM's queue, to zero after the idle minutes, and wakes on requests at an empty fleet", () => {
    // Scale-out only: a waiting queue of 0 cannot tell a busy host from an idle one.
    expect(inputs(r, "aws:autoscaling/policy:Policy", "vllm-load")["targetTrackingConfiguration"]).toEqual({
      targetValue: 5,
      disableScaleIn: true,
      customizedMetricSpecification: {
        namespace: "vllm-tco",
        metricName: "NumRequestsWaiting",
        statistic: "Average",
        metricDimensions: [{ name: "AutoScalingGroupName", value: "vllm-fleet-asg" }],
      },
    });
    // Scale-in: requests in flight per host (running + waiting). The aws-h100 report plans 151
    // streams per replica at capacity; at the 0.8 target utilisation that is 120.8 → 121 per host.
    const inFlight = inputs(r, "aws:autoscaling/policy:Policy", "vllm-in-flight") as {
      estimatedInstanceWarmup: number;
      targetTrackingConfiguration: {
        targetValue: number;
        disableScaleIn?: boolean;
        customizedMetricSpecification: { metrics: Obj[] };
      };
    };
    const t = inFlight.targetTrackingConfiguration;
    expect(t.targetValue).toBe(121);
    expect(t.disableScaleIn).toBeUndefined();
    expect(inFlight.estimatedInstanceWarmup).toBe(752);
    expect(
      t.customizedMetricSpecification.metrics.map((m) => [
        m["id"],
        m["expression"] ?? (m["metricStat"] as { metric: { metricName: string } }).metric.metricName,
      ]),
    ).toEqual([
      ["running", "NumRequestsRunning"],
      ["waiting", "NumRequestsWaiting"],
      ["inflight", "running + waiting"],
    ]);
    // AWS's documented target-tracking rule, desired = ⌈hosts × metric ÷ target⌉, with the scale-out
    // policy's scale-in off: while any request is in flight the fleet keeps at least one host.
    for (const hosts of [1, 2, 4])
      for (const perHost of [0.25, 1, 50, 500])
        expect(Math.ceil((hosts * perHost) / t.targetValue)).toBeGreaterThanOrEqual(1);
    expect(inputs(r, "aws:autoscaling/policy:Policy", "vllm-to-zero")).toMatchObject({
      adjustmentType: "ExactCapacity",
      scalingAdjustment: 0,
    });
    expect(inputs(r, "aws:autoscaling/policy:Policy", "vllm-wake")).toMatchObject({
      adjustmentType: "ChangeInCapacity",
      scalingAdjustment: 1,
      cooldown: 752,
    });
    // The idle alarm counts only minutes in which a healthy host saw no request: while a woken host
    // loads (unhealthy, its 503s not in RequestCount) the alarm is OK and cannot empty the fleet again.
    const idle = inputs(r, "aws:cloudwatch/metricAlarm:MetricAlarm", "vllm-idle") as { metricQueries: Obj[] };
    expect(idle).toMatchObject({
      evaluationPeriods: 15,
      datapointsToAlarm: 15,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
    });
    expect(idle.metricQueries.map((q) => q["id"])).toEqual(["requests", "healthy", "idle"]);
    expect(idle.metricQueries[0]).toMatchObject({
      metric: {
        metricName: "RequestCount",
        dimensions: { LoadBalancer: "app/vllm-lb-alb/0123456789abcdef" },
      },
    });
    expect(idle.metricQueries[2]).toMatchObject({
      expression: "IF(FILL(requests, 0) == 0 AND FILL(healthy, 0) >= 1, 1, 0)",
      returnData: true,
    });
    const wake = inputs(r, "aws:cloudwatch/metricAlarm:MetricAlarm", "vllm-wake") as { metricQueries: Obj[] };
    expect(wake.metricQueries.map((q) => q["id"])).toEqual(["rejected", "healthy", "wake"]);
    expect(wake.metricQueries[2]).toMatchObject({
      expression: "IF(rejected > 0 AND FILL(healthy, 0) < 1, 1, 0)",
      returnData: true,
    });
  });

  it("IAM: the host reads its own two secrets, writes its own logs and metrics namespace, and has SSM instead of SSH", () => {
    const policy = JSON.parse(inputs(r, "aws:iam/rolePolicy:RolePolicy", "vllm-host")["policy"] as string);
    expect(policy.Statement[0]).toEqual({
      Sid: "ReadOwnSecrets",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      // By name pattern (Secrets Manager appends six characters): known before the secrets exist.
      Resource: [
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:vllm-tco/aws-h100/vllm-api-key-??????",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:vllm-tco/aws-h100/vllm-hf-token-??????",
      ],
    });
    expect(policy.Statement[2]).toMatchObject({
      Resource: [
        "arn:aws:logs:us-east-1:123456789012:log-group:/vllm-tco/aws-h100/vllm",
        "arn:aws:logs:us-east-1:123456789012:log-group:/vllm-tco/aws-h100/vllm:log-stream:*",
      ],
    });
    expect(policy.Statement[1]).toMatchObject({
      Action: "cloudwatch:PutMetricData",
      Condition: { StringEquals: { "cloudwatch:namespace": "vllm-tco" } },
    });
    expect(policy.Statement).toHaveLength(3);
    expect(inputs(r, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "vllm-host-ssm")["policyArn"]).toBe(
      "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    );
  });

  it("secrets live only in Secrets Manager versions, marked secret", () => {
    for (const s of Object.values(SENTINELS)) {
      const places = secretExposure(r, s);
      expect(places).toHaveLength(1);
      expect(places[0]).toMatchObject({
        resource: expect.stringMatching(/^aws:secretsmanager\/secretVersion:SecretVersion::/),
        path: "secretString",
        marked: true,
      });
    }
  });

  it("outputs the endpoint, the group, the secrets' ids and how to call it", () => {
    expect(r.outputs).toMatchObject({
      endpoint: "http://vllm-lb-alb-1234567890.us-east-1.elb.amazonaws.com/v1",
      groupName: "vllm-fleet-asg",
      secretIds: { apiKey: API_KEY_ID, hfToken: HF_ID },
      // 5 min boot and pull + (16.06 GB at 200 MB/s = 81 s, + 120 s init) = 8.35 → 9
      coldStartMinutes: 9,
    });
    expect(r.outputs["usage"]).toContain("retry with backoff for ~9 minutes");
  });
});

describe("aws platform: variants", () => {
  it("p5.48xlarge with Llama 3.3 70B: tensor parallel 8, a longer grace period", async () => {
    const r = await plan("aws-h100", {
      model: { id: "llama-3.3-70b" },
      aws: { instanceType: "p5.48xlarge" },
    });
    expect(inputs(r, LT, "vllm-host")["instanceType"]).toBe("p5.48xlarge");
    expect(userDataOf(r)).toContain("'--tensor-parallel-size' '8'");
    // 141.2 GB of weights at 200 MB/s = 706 s; + boot 180 + image 120 + engine 120 = 1126 s; × 1.5 = 1689.
    expect(inputs(r, ASG, "vllm-fleet")["healthCheckGracePeriod"]).toBe(1689);
  });

  it("spot mix: a mixed-instances policy with capacity rebalancing", async () => {
    const r = await plan("aws-h100", {
      aws: { purchase: "mixed", onDemandBase: 1, spotPercentage: 75 },
      scaling: { min: 1 },
    });
    const g = inputs(r, ASG, "vllm-fleet");
    expect(g["capacityRebalance"]).toBe(true);
    expect(g["launchTemplate"]).toBeUndefined();
    expect(g["mixedInstancesPolicy"]).toMatchObject({
      instancesDistribution: {
        onDemandBaseCapacity: 1,
        onDemandPercentageAboveBaseCapacity: 25,
        spotAllocationStrategy: "price-capacity-optimized",
      },
      launchTemplate: { overrides: [{ instanceType: "p5.4xlarge" }] },
    });
    // A floor above zero: no idle teardown alarms.
    expect(r.resources.filter((x) => x.type === "aws:cloudwatch/metricAlarm:MetricAlarm")).toHaveLength(0);
  });

  it("existing VPC: no network is created; hosts go in the given private subnets", async () => {
    const r = await plan("aws-h100", {
      aws: {
        vpcId: "vpc-0123",
        publicSubnetIds: ["subnet-pub-a", "subnet-pub-b"],
        privateSubnetIds: ["subnet-priv-a", "subnet-priv-b"],
      },
    });
    expect(
      r.resources.some((x) => x.type === "aws:ec2/vpc:Vpc" || x.type === "aws:ec2/natGateway:NatGateway"),
    ).toBe(false);
    expect(inputs(r, ASG, "vllm-fleet")["vpcZoneIdentifiers"]).toEqual(["subnet-priv-a", "subnet-priv-b"]);
    expect(inputs(r, "aws:lb/loadBalancer:LoadBalancer", "vllm-lb-alb")["subnets"]).toEqual([
      "subnet-pub-a",
      "subnet-pub-b",
    ]);
  });

  it("warm pool: stopped, pre-initialised hosts; weights cached on the root volume; lifecycle completion allowed", async () => {
    const r = await plan("aws-h100", { aws: { warmPool: { enabled: true, size: 1 } } });
    const g = inputs(r, ASG, "vllm-fleet");
    // maxGroupPreparedCapacity = minSize: exactly `size` hosts, not AWS's default of max − desired.
    expect(g["warmPool"]).toEqual({
      poolState: "Stopped",
      minSize: 1,
      maxGroupPreparedCapacity: 1,
      instanceReusePolicy: { reuseOnScaleIn: true },
    });
    expect(g["initialLifecycleHooks"]).toEqual([
      {
        name: "vllm-tco-prewarm",
        lifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING",
        defaultResult: "CONTINUE",
        heartbeatTimeout: 600,
      },
    ]);
    const ud = userDataOf(r);
    expect(ud).toContain("Model cache on the encrypted root volume.");
    expect(ud).toContain("complete-lifecycle-action");
    // User data runs once; the completion is a boot-time unit so a warm start does not wait out the hook.
    expect(ud).toContain(
      "WantedBy=multi-user.target\nUNIT\nsystemctl daemon-reload\nsystemctl enable vllm-lifecycle.service",
    );
    expect(ud).toMatch(/ExecStart=\/usr\/local\/bin\/vllm-lifecycle/);
    expect(spawnSync("bash", ["-n"], { input: ud, encoding: "utf8" }).stderr).toBe("");
    const policy = JSON.parse(inputs(r, "aws:iam/rolePolicy:RolePolicy", "vllm-host")["policy"] as string);
    expect(policy.Statement[3]).toEqual({
      Sid: "CompleteWarmPoolLaunch",
      Effect: "Allow",
      Action: "autoscaling:CompleteLifecycleAction",
      Resource:
        "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/vllm-aws-h100-*",
    });
  });

  it("HTTPS: a TLS listener with the certificate, and port 80 redirects", async () => {
    const cert = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
    const r = await plan("aws-h100", { aws: { certificateArn: cert } });
    expect(inputs(r, "aws:lb/listener:Listener", "vllm-lb-https")).toMatchObject({
      port: 443,
      protocol: "HTTPS",
      certificateArn: cert,
      sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    });
    expect(inputs(r, "aws:lb/listener:Listener", "vllm-lb-http")).toMatchObject({
      port: 80,
      defaultActions: [{ type: "redirect" }],
    });
    expect(r.outputs["endpoint"]).toMatch(/^https:\/\//);
  });

  it("without secrets in the stack, an API key is generated and stored, never shown", async () => {
    const r = await plan("aws-h100", {}, {});
    expect(
      r.resources.filter((x) => x.type === "aws:secretsmanager/secret:Secret").map((x) => x.name),
    ).toEqual(["vllm-api-key"]);
    expect(find(r, "aws:secretsmanager/secretVersion:SecretVersion", "vllm-api-key").secretPaths).toEqual([
      "secretString",
    ]);
  });

  it.each([
    ["max below min", { scaling: { min: 3, max: 2 } }, "vllm-tco:scaling.min: is above scaling.max (2)"],
    [
      "spot-only with a floor",
      { aws: { purchase: "spot" }, scaling: { min: 1 } },
      "vllm-tco:aws.purchase: with scaling.min 1 has no on-demand fallback",
    ],
    [
      "a CIDR that does not parse",
      { aws: { ingressCidrs: ["10.0.0/8"] } },
      'vllm-tco:aws.ingressCidrs[0]: is not a CIDR block such as 10.0.0.0/16 (found "10.0.0/8")',
    ],
    [
      "a model the instance cannot hold",
      { model: { id: "llama-3.3-70b" } },
      "vllm-tco:aws.instanceType: 1× h100-sxm cannot hold llama-3.3-70b",
    ],
  ])("bad config (%s) stops before any resource is registered", async (_n, patch, message) => {
    const r = await plan("aws-h100", patch);
    expect(r.error).toContain(message);
    expect(r.resources.map((x) => x.type)).toEqual(["pulumi:pulumi:Stack"]);
  });
});
