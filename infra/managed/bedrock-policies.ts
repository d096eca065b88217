/**
 * What the managed lane provisions, decided purely: the model source an application inference
 * profile copies, the invoke-only IAM policy, and the usage alarm thresholds.
 */

/**
 * Llama 3.x on Bedrock is served on demand through the region group's system inference profile
 * (`us.` / `eu.` / `apac.`); elsewhere the foundation model itself.
 */
export function modelSourceArn(region: string, account: string, modelId: string): string {
  const group = region.startsWith("us-")
    ? "us"
    : region.startsWith("eu-")
      ? "eu"
      : region.startsWith("ap-")
        ? "apac"
        : undefined;
  return group
    ? `arn:aws:bedrock:${region}:${account}:inference-profile/${group}.${modelId}`
    : `arn:aws:bedrock:${region}::foundation-model/${modelId}`;
}

export function invokeRoleTrust(account: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "sts:AssumeRole" },
    ],
  };
}

/**
 * Invoke this stack's profile and nothing else. Bedrock also checks the models a profile routes to;
 * the condition allows those only when reached through this profile.
 */
export function invokePolicy(profileArn: string) {
  const actions = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"];
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "InvokeThisProfile", Effect: "Allow", Action: actions, Resource: profileArn },
      {
        Sid: "ModelsBehindThisProfileOnly",
        Effect: "Allow",
        Action: actions,
        Resource: ["arn:aws:bedrock:*::foundation-model/*", "arn:aws:bedrock:*:*:inference-profile/*"],
        Condition: { StringEquals: { "bedrock:InferenceProfileArn": profileArn } },
      },
    ],
  };
}
