{{/* The release's resource name, at most 45 characters (Flink adds suffixes to it). */}}
{{- define "embedflow.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 45 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 45 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "embedflow.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/*
Flink configuration of a deployment: the production defaults, the directories, HA, the
Prometheus reporter, EmbedFlow's settings and the names of the secret environment variables.
Call with (dict "root" $ "extra" <map> "embedflow" <map>).
*/}}
{{- define "embedflow.flinkConfiguration" -}}
{{- $v := .root.Values -}}
{{- $conf := deepCopy $v.flinkConfiguration -}}
{{- $_ := set $conf "taskmanager.numberOfTaskSlots" (toString $v.taskManager.numberOfTaskSlots) -}}
{{- $_ := set $conf "execution.checkpointing.dir" $v.storage.checkpoints -}}
{{- $_ := set $conf "execution.checkpointing.savepoint-dir" $v.storage.savepoints -}}
{{- if $v.highAvailability.enabled }}
{{- $_ := set $conf "high-availability.type" "kubernetes" -}}
{{- $_ := set $conf "high-availability.storageDir" $v.storage.ha -}}
{{- end }}
{{- $_ := set $conf "metrics.reporter.prom.factory.class" "org.apache.flink.metrics.prometheus.PrometheusReporterFactory" -}}
{{- $_ := set $conf "metrics.reporter.prom.port" (toString $v.metrics.port) -}}
{{- range $k, $val := .extra }}
{{- $_ := set $conf $k $val -}}
{{- end }}
{{- range $k, $val := .embedflow }}
{{- $_ := set $conf $k $val -}}
{{- end }}
{{- with $v.secrets.embeddingApiKey }}
{{- if .secretName }}
{{- $_ := set $conf "embedding.api-key.env" .env -}}
{{- end }}
{{- end }}
{{- with $v.secrets.openSearch }}
{{- if .secretName }}
{{- $_ := set $conf "opensearch.auth.type" "BASIC" -}}
{{- $_ := set $conf "opensearch.auth.username" .username -}}
{{- $_ := set $conf "opensearch.auth.password-env" .env -}}
{{- end }}
{{- end }}
{{- if $v.configMap.documentTemplate }}
{{- $_ := set $conf "window.template-file" (printf "%s/document.mustache" $v.configMap.mountPath) -}}
{{- end }}
{{- range $k := keys $conf | sortAlpha }}
{{ $k }}: {{ get $conf $k | toString | quote }}
{{- end }}
{{- end -}}

{{/* The pod template of a deployment's JobManager and TaskManagers. Call with (dict "root" $ "component" <name>). */}}
{{- define "embedflow.podTemplate" -}}
{{- $v := .root.Values -}}
metadata:
  labels:
    {{- include "embedflow.labels" .root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
    {{- with $v.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- if or $v.metrics.podAnnotations $v.podAnnotations }}
  annotations:
    {{- if $v.metrics.podAnnotations }}
    prometheus.io/scrape: "true"
    prometheus.io/port: {{ $v.metrics.port | quote }}
    prometheus.io/path: /metrics
    {{- end }}
    {{- with $v.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
spec:
  containers:
    # The operator merges this into the Flink containers.
    - name: flink-main-container
      ports:
        - name: metrics
          containerPort: {{ $v.metrics.port }}
          protocol: TCP
      {{- if or $v.secrets.embeddingApiKey.secretName $v.secrets.openSearch.secretName $v.secrets.s3.secretName }}
      env:
        {{- with $v.secrets.embeddingApiKey }}
        {{- if .secretName }}
        - name: {{ .env }}
          valueFrom:
            secretKeyRef:
              name: {{ .secretName }}
              key: {{ .key }}
        {{- end }}
        {{- end }}
        {{- with $v.secrets.openSearch }}
        {{- if .secretName }}
        - name: {{ .env }}
          valueFrom:
            secretKeyRef:
              name: {{ .secretName }}
              key: {{ .key }}
        {{- end }}
        {{- end }}
        {{- with $v.secrets.s3 }}
        {{- if .secretName }}
        # Read by Flink's S3 file system (its default credential chain).
        - name: AWS_ACCESS_KEY_ID
          valueFrom:
            secretKeyRef:
              name: {{ .secretName }}
              key: {{ .accessKeyKey }}
        - name: AWS_SECRET_ACCESS_KEY
          valueFrom:
            secretKeyRef:
              name: {{ .secretName }}
              key: {{ .secretKeyKey }}
        {{- end }}
        {{- end }}
      {{- end }}
      volumeMounts:
        - name: embedflow-config
          mountPath: {{ $v.configMap.mountPath }}
          readOnly: true
  volumes:
    - name: embedflow-config
      configMap:
        name: {{ include "embedflow.fullname" .root }}-config
  {{- with $v.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
