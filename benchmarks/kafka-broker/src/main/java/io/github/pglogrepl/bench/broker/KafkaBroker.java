package io.github.pglogrepl.bench.broker;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;

import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The benchmark's Kafka broker: one KRaft broker (combined broker and controller, spring-kafka-test's
 * {@link EmbeddedKafkaKraftBroker}) in this JVM, which the harness starts once per run. It prints
 * {@code @broker ready bootstrap=<host:port>} and then answers lines on stdin:
 * <ul>
 * <li>{@code create <topic> <partitions> [key=value,...]}: creates a topic (replication factor 1) and prints
 * {@code @broker created topic=<topic>};</li>
 * <li>{@code count <topic>}: prints {@code @broker count topic=<topic> records=<sum of the partitions' end
 * offsets> bytes=<size of its log>} (what the broker has);</li>
 * <li>{@code warmup <records>}: sends that many records of ~500 bytes to a topic {@code bench-warmup} with
 * {@code acks=all} from a producer in this JVM, so that the broker's produce path is compiled before the first
 * measured run; prints {@code @broker warmed records=<n> ms=<time>};</li>
 * <li>{@code config}: prints {@code @broker config key=value ...} for the broker settings that matter for the
 * benchmark.</li>
 * </ul>
 * The end of stdin stops the broker. Arguments: {@code --port N} (0: any free port), {@code --prop key=value}
 * (a broker property, repeatable).
 */
public final class KafkaBroker {

	private KafkaBroker() {
	}

	public static void main(String[] args) throws Exception {
		int port = 0;
		Map<String, String> props = new LinkedHashMap<>();
		// topics are created by the harness, with the same settings for every consumer
		props.put("auto.create.topics.enable", "false");
		for (int i = 0; i < args.length; i++) {
			switch (args[i]) {
				case "--port" -> port = Integer.parseInt(args[++i]);
				case "--prop" -> {
					String kv = args[++i];
					int eq = kv.indexOf('=');
					props.put(kv.substring(0, eq), kv.substring(eq + 1));
				}
				default -> throw new IllegalArgumentException("unknown argument " + args[i]);
			}
		}
		long t0 = System.nanoTime();
		EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 1);
		if (port > 0) {
			broker.kafkaPorts(port);
		}
		broker.brokerProperties(props);
		broker.afterPropertiesSet();
		String bootstrap = broker.getBrokersAsString();
		Map<String, Object> adminConfig = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
		try (Admin admin = Admin.create(adminConfig)) {
			report("ready", "bootstrap", bootstrap, "pid", ProcessHandle.current().pid(), "start_ms",
					(System.nanoTime() - t0) / 1_000_000);
			BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
			String line;
			while ((line = in.readLine()) != null) {
				String[] parts = line.trim().split(" ");
				try {
					switch (parts[0]) {
						case "create" -> create(admin, parts);
						case "count" -> report("count", "topic", parts[1], "records", count(admin, parts[1]), "bytes",
								size(admin, broker, parts[1]));
						case "config" -> report("config", config(admin, broker));
						case "warmup" -> warmup(admin, bootstrap, Long.parseLong(parts[1]));
						case "" -> {
						}
						default -> report("error", "message", "unknown_command_" + parts[0]);
					}
				}
				catch (Exception ex) {
					ex.printStackTrace(System.out);
					report("error", "command", parts[0], "message",
							String.valueOf(ex).replace(' ', '_').replace('\n', '_'));
				}
			}
		}
		finally {
			broker.destroy();
		}
		System.exit(0);
	}

	private static void create(Admin admin, String[] parts) throws Exception {
		NewTopic topic = new NewTopic(parts[1], Optional.of(Integer.parseInt(parts[2])), Optional.of((short) 1));
		if (parts.length > 3) {
			Map<String, String> configs = new LinkedHashMap<>();
			for (String kv : parts[3].split(",")) {
				int eq = kv.indexOf('=');
				configs.put(kv.substring(0, eq), kv.substring(eq + 1));
			}
			topic.configs(configs);
		}
		admin.createTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
		// wait until the partitions have a leader, so that the first send does not wait for metadata
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		while (System.nanoTime() < deadline) {
			TopicDescription d = admin.describeTopics(List.of(parts[1])).allTopicNames().get().get(parts[1]);
			if (d.partitions().stream().allMatch((p) -> p.leader() != null && p.leader().id() >= 0)) {
				break;
			}
			Thread.sleep(50);
		}
		report("created", "topic", parts[1]);
	}

	private static void warmup(Admin admin, String bootstrap, long records) throws Exception {
		String topic = "bench-warmup";
		if (!admin.listTopics().names().get().contains(topic)) {
			create(admin, new String[] { "create", topic, "1" });
		}
		Map<String, Object> config = Map.of(org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
				bootstrap, org.apache.kafka.clients.producer.ProducerConfig.ACKS_CONFIG, "all",
				org.apache.kafka.clients.producer.ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
				org.apache.kafka.clients.producer.ProducerConfig.LINGER_MS_CONFIG, 5);
		byte[] value = new byte[500];
		java.util.Arrays.fill(value, (byte) 'x');
		long t0 = System.nanoTime();
		try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer = new org.apache.kafka.clients.producer.KafkaProducer<>(
				config, new org.apache.kafka.common.serialization.ByteArraySerializer(),
				new org.apache.kafka.common.serialization.ByteArraySerializer())) {
			for (long i = 0; i < records; i++) {
				producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic,
						Long.toString(i).getBytes(StandardCharsets.UTF_8), value));
			}
			producer.flush();
		}
		report("warmed", "records", records, "ms", (System.nanoTime() - t0) / 1_000_000);
	}

	private static long count(Admin admin, String topicName) throws Exception {
		TopicDescription d = admin.describeTopics(List.of(topicName)).allTopicNames().get().get(topicName);
		Map<TopicPartition, OffsetSpec> request = d.partitions()
			.stream()
			.collect(Collectors.toMap((p) -> new TopicPartition(topicName, p.partition()), (p) -> OffsetSpec.latest()));
		return admin.listOffsets(request)
			.all()
			.get(60, TimeUnit.SECONDS)
			.values()
			.stream()
			.mapToLong((info) -> info.offset())
			.sum();
	}

	private static long size(Admin admin, EmbeddedKafkaKraftBroker broker, String topicName) throws Exception {
		int id = broker.getCluster().brokers().keySet().iterator().next();
		long bytes = 0;
		for (var dir : admin.describeLogDirs(List.of(id)).allDescriptions().get(60, TimeUnit.SECONDS).get(id).values()) {
			for (var e : dir.replicaInfos().entrySet()) {
				if (e.getKey().topic().equals(topicName)) {
					bytes += e.getValue().size();
				}
			}
		}
		return bytes;
	}

	private static Object[] config(Admin admin, EmbeddedKafkaKraftBroker broker) throws Exception {
		Set<String> keys = Set.of("num.network.threads", "num.io.threads", "log.flush.interval.messages",
				"log.flush.interval.ms", "log.segment.bytes", "num.partitions", "compression.type",
				"log.message.timestamp.type", "message.max.bytes", "socket.send.buffer.bytes",
				"socket.receive.buffer.bytes", "num.replica.fetchers", "default.replication.factor",
				"min.insync.replicas", "process.roles", "log.dirs");
		int id = broker.getCluster().brokers().keySet().iterator().next();
		ConfigResource resource = new ConfigResource(ConfigResource.Type.BROKER, String.valueOf(id));
		Config config = admin.describeConfigs(List.of(resource)).all().get(60, TimeUnit.SECONDS).get(resource);
		Map<String, String> values = new TreeMap<>();
		for (ConfigEntry e : config.entries()) {
			if (keys.contains(e.name())) {
				values.put(e.name(), String.valueOf(e.value()).replace(' ', '_'));
			}
		}
		List<Object> kv = new ArrayList<>();
		values.forEach((k, v) -> {
			kv.add(k);
			kv.add(v);
		});
		return kv.toArray();
	}

	private static void report(String event, Object... keyValues) {
		StringBuilder sb = new StringBuilder("@broker ").append(event);
		for (int i = 0; i + 1 < keyValues.length; i += 2) {
			sb.append(' ').append(keyValues[i]).append('=').append(keyValues[i + 1]);
		}
		synchronized (System.out) {
			System.out.println(sb);
			System.out.flush();
		}
	}

}
